package dev.ignis.runtime.image.oci;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import java.util.ArrayList;
import java.util.List;

/**
 * How the guest's init starts a container image's process, from the image configuration
 * (entrypoint and cmd, env, working dir), as a file of shell assignments the default image's
 * init sources ({@code /ignis/vm.env}): {@code IGNIS_WORKDIR}, {@code export NAME=VALUE} per
 * variable, {@code IGNIS_USER}, then {@code set -- ARGV...}. Every value single-quoted.
 */
final class ContainerLaunch {

  /** Docker's default PATH, for images whose configuration sets none. */
  static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

  private ContainerLaunch() {}

  /** The command an image runs: its entrypoint followed by its cmd; empty if it names none. */
  static List<String> argv(JsonNode config) {
    List<String> argv = new ArrayList<>();
    config.path("config").path("Entrypoint").forEach(word -> argv.add(word.asText()));
    config.path("config").path("Cmd").forEach(word -> argv.add(word.asText()));
    return argv;
  }

  /** Commands that mean "the image's own init", as images meant to boot systemd name them. */
  private static final List<List<String>> INIT_COMMANDS = List.of(List.of("/sbin/init"), List.of("/lib/systemd/systemd"),
      List.of("/usr/lib/systemd/systemd"));

  /**
   * The env file for an image's configuration: its command, or — when it names none, or names
   * its init — its own init ({@code IGNIS_INIT}); refused when it has neither.
   */
  static String envFile(String image, JsonNode config, String init) {
    List<String> argv = argv(config);
    if (argv.isEmpty() && !init.isEmpty() || INIT_COMMANDS.contains(argv)) {
      return "# written by the runtime for the guest's init\nIGNIS_INIT=" + quoted(argv.isEmpty() ? init : argv.get(0))
          + "\n";
    }
    if (argv.isEmpty()) {
      throw new IgnisException(ErrorCode.INVALID_ARGUMENT, "image " + image + " names no command (no Entrypoint or"
          + " Cmd in its configuration) and has no /sbin/init; Ignis runs a container image's command, or an image's"
          + " own init");
    }
    JsonNode settings = config.path("config");
    StringBuilder file = new StringBuilder("# written by the runtime for the guest's init\n");
    file.append("IGNIS_WORKDIR=").append(quoted(settings.path("WorkingDir").asText("/"))).append('\n');
    file.append("IGNIS_USER=").append(quoted(settings.path("User").asText(""))).append('\n');
    boolean hasPath = false;
    for (JsonNode variable : settings.path("Env")) {
      String text = variable.asText();
      int equals = text.indexOf('=');
      String name = equals < 0 ? text : text.substring(0, equals);
      if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
        continue; // not a name a shell can export; Docker passes such ones on, a shell cannot
      }
      hasPath |= name.equals("PATH");
      file.append("export ").append(name).append('=').append(quoted(equals < 0 ? "" : text.substring(equals + 1)))
          .append('\n');
    }
    if (!hasPath) {
      file.append("export PATH=").append(quoted(DEFAULT_PATH)).append('\n');
    }
    file.append("set --");
    argv.forEach(word -> file.append(' ').append(quoted(word)));
    return file.append('\n').toString();
  }

  /** A shell word that stands for exactly the text. */
  static String quoted(String text) {
    return "'" + text.replace("'", "'\\''") + "'";
  }
}
