package dev.ignis.plugin.flannel;

import dev.ignis.spi.Command;
import dev.ignis.spi.CommandResult;
import dev.ignis.spi.CommandRunner;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs host commands for the node agent, which runs outside the runtime and so has no
 * {@link dev.ignis.spi.PluginContext}: a process per command, its output read in full.
 */
final class LocalCommands implements CommandRunner {

  @Override
  public CommandResult run(Command command) {
    List<String> argv = new ArrayList<>();
    if (!command.netnsPath().isEmpty()) {
      argv.addAll(List.of("nsenter", "--net=" + command.netnsPath(), "--"));
    }
    argv.addAll(command.argv());
    try {
      ProcessBuilder builder = new ProcessBuilder(argv);
      builder.environment().putAll(command.environment());
      Process process = builder.start();
      process.getOutputStream().write(command.stdin().getBytes(StandardCharsets.UTF_8));
      process.getOutputStream().close();
      CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(process.getErrorStream()));
      String out = read(process.getInputStream());
      if (!process.waitFor(command.timeout().toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        return new CommandResult(command, 124, out, "timed out after " + command.timeout().toSeconds() + " s");
      }
      return new CommandResult(command, process.exitValue(), out, err.join());
    } catch (IOException e) {
      return new CommandResult(command, 127, "", e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new CommandResult(command, 130, "", "interrupted");
    }
  }

  private static String read(java.io.InputStream in) {
    try {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }
}
