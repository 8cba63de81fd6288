package dev.ignis.plugin.flannel;

import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A long-running process of the node (etcd, the node agent) started in a session of its own
 * so it outlives the command that started it, with a pid file and a log in the state dir.
 * Stopped by its pid file, after checking that the pid still runs the same program (its
 * command line names the pid file's directory).
 */
record DetachedProcess(String name, Path pidFile, Path log) {

  static DetachedProcess in(Path stateDir, String name) {
    return new DetachedProcess(name, stateDir.resolve(name + ".pid"), stateDir.resolve(name + ".log"));
  }

  /** Starts the command (its arguments must name the state dir) and records its pid. */
  long start(List<String> command) {
    List<String> argv = new ArrayList<>(List.of("setsid"));
    argv.addAll(command);
    try {
      Files.createDirectories(pidFile.getParent());
      Process process = new ProcessBuilder(argv).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
          .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
      Files.writeString(pidFile, process.pid() + "\n");
      return process.pid();
    } catch (IOException e) {
      throw new IgnisException(ErrorCode.PLUGIN_NOT_AVAILABLE, "cannot start " + name + " (" + argv.get(1) + "): "
          + e.getMessage(), e);
    }
  }

  /** The running process, if the pid file names one that is still this program. */
  Optional<ProcessHandle> running() {
    try {
      long pid = Long.parseLong(Files.readString(pidFile).strip());
      String cmdline = Files.readString(Path.of("/proc", String.valueOf(pid), "cmdline"), StandardCharsets.ISO_8859_1);
      return cmdline.contains(pidFile.getParent().toString()) ? ProcessHandle.of(pid) : Optional.empty();
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  /** Stops it (SIGTERM, SIGKILL after the grace period) and removes the pid file. Idempotent. */
  void stop(long graceSeconds) {
    running().ifPresent(process -> {
      process.destroy();
      try {
        process.onExit().get(graceSeconds, TimeUnit.SECONDS);
      } catch (Exception e) {
        process.destroyForcibly();
        process.onExit().join();
      }
    });
    try {
      Files.deleteIfExists(pidFile);
    } catch (IOException e) {
      throw new IgnisException(ErrorCode.IO_FAILURE, "cannot delete " + pidFile + ": " + e.getMessage(), e);
    }
  }

  /** The last lines of the log, for error messages. */
  String lastLogLines(int count) {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join(" | ", lines.subList(Math.max(0, lines.size() - count), lines.size()));
    } catch (IOException e) {
      return "(no log)";
    }
  }
}
