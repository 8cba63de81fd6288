package dev.ignis.plugin.cni;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ignis.spi.Command;
import dev.ignis.spi.CommandResult;
import dev.ignis.spi.CommandRunner;
import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one CNI plugin binary as the spec's "Execution protocol" says: environment variables
 * for the call, the configuration on standard input, a result or an error on standard output.
 * A plugin that outlives the timeout is killed; its standard error goes to the log.
 */
class CniInvoker {

  private static final Logger log = LoggerFactory.getLogger(CniInvoker.class);

  private final CommandRunner commands;
  private final CniSettings settings;

  CniInvoker(CommandRunner commands, CniSettings settings) {
    this.commands = commands;
    this.settings = settings;
  }

  /** The binary for a plugin type, from the bin path, if there is one. */
  java.util.Optional<Path> locate(String type) {
    for (Path dir : settings.binPath()) {
      Path candidate = dir.resolve(type);
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return java.util.Optional.of(candidate);
      }
    }
    return java.util.Optional.empty();
  }

  /** The binary for a plugin type, from the bin path. */
  Path find(String type, String network) {
    return locate(type).orElseThrow(() -> new IgnisException(ErrorCode.PLUGIN_NOT_AVAILABLE, "network '" + network + "': CNI plugin '" + type
        + "' not found in " + settings.binPathText() + "; install it (Debian: containernetworking-plugins) or set"
        + " plugin.cni.bin-path"));
  }

  /**
   * Runs {@code command} (ADD, DEL, CHECK, GC, STATUS, VERSION) of the plugin the config
   * names; returns its parsed output, or null when it printed nothing (DEL, CHECK, GC).
   */
  JsonNode invoke(String command, ObjectNode config, RuntimeConf runtime, String network) {
    String type = config.get("type").asText();
    String operation = command.toLowerCase(Locale.ROOT);
    Path binary = find(type, network);
    Command call = Command.of(binary.toString())
        .withStdin(Json.write(config))
        .withTimeout(settings.timeout())
        .withEnv("CNI_COMMAND", command)
        .withEnv("CNI_CONTAINERID", runtime.containerId())
        .withEnv("CNI_NETNS", runtime.netnsPath())
        .withEnv("CNI_IFNAME", runtime.ifName())
        .withEnv("CNI_ARGS", runtime.argsText())
        .withEnv("CNI_PATH", settings.binPathText());
    CommandResult result;
    try {
      result = commands.run(call);
    } catch (IgnisException e) {
      throw new IgnisException(e.code(), "network '" + network + "': plugin " + type + " failed (" + operation + "): "
          + e.getMessage(), e);
    }
    result.stderr().lines().filter(line -> !line.isBlank())
        .forEach(line -> log.info("{} ({}): {}", type, operation, line));
    if (!result.succeeded()) {
      throw failure(result, type, operation, network);
    }
    String output = result.stdout().strip();
    if (output.isEmpty()) {
      return null;
    }
    try {
      return Json.object(output, "the output");
    } catch (IgnisException e) {
      throw new IgnisException(ErrorCode.DECODING_FAILURE, "network '" + network + "': plugin " + type
          + " returned an unreadable result (" + operation + "): " + e.getMessage());
    }
  }

  /**
   * Our code for a plugin's CNI error code: the spec's well-known codes (below 100) keep their
   * meaning; 999 ("internal": what plugins report for most failures, an address taken among
   * them) and the plugin-specific codes from 100 on are a plugin failure, not ours.
   */
  static ErrorCode codeOf(int cniCode) {
    ErrorCode code = cniCode < 100 ? ErrorCode.of(cniCode) : ErrorCode.PLUGIN_FAILED;
    return code == ErrorCode.INTERNAL ? ErrorCode.PLUGIN_FAILED : code;
  }

  /** The plugin's CNI error as an exception with its code, or a description of what it printed. */
  private static IgnisException failure(CommandResult result, String type, String operation, String network) {
    String prefix = "network '" + network + "': plugin " + type + " failed (" + operation + "): ";
    try {
      ObjectNode error = Json.object(result.stdout().strip(), "error");
      String message = Json.text(error, "msg");
      if (error.has("code") && !message.isEmpty()) {
        return new IgnisException(codeOf(error.get("code").asInt()), prefix + message, Json.text(error, "details"), null);
      }
    } catch (IgnisException notAnError) {
      // Not a CNI error: describe what was printed instead.
    }
    String printed = (result.stdout() + "\n" + result.stderr()).strip();
    String firstLine = printed.isEmpty() ? "no output" : printed.lines().findFirst().orElse("");
    if (firstLine.length() > 200) {
      firstLine = firstLine.substring(0, 200) + "...";
    }
    return new IgnisException(ErrorCode.PLUGIN_FAILED, prefix + "exit status " + result.exitCode()
        + " without a CNI error; it printed: " + firstLine, printed, null);
  }
}
