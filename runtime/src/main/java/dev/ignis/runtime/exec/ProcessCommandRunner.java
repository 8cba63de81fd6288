package dev.ignis.runtime.exec;

import dev.ignis.spi.Command;
import dev.ignis.spi.CommandResult;
import dev.ignis.spi.CommandRunner;
import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs commands as child processes; a command for a netns runs under {@code nsenter --net=}.
 *
 * <p>Thread-safe and stateless. Output is read on helper threads so that a chatty process
 * never blocks on a full pipe; a process that outlives its timeout is killed.
 */
public final class ProcessCommandRunner implements CommandRunner {

  private static final Logger log = LoggerFactory.getLogger(ProcessCommandRunner.class);

  @Override
  public CommandResult run(Command command) {
    List<String> argv = argvOf(command);
    log.debug("run: {}", String.join(" ", argv));
    Process process = start(command, argv);
    CompletableFuture<String> stdout = readAsync(process.getInputStream());
    CompletableFuture<String> stderr = readAsync(process.getErrorStream());
    writeStdin(process, command.stdin());
    try {
      if (!process.waitFor(command.timeout().toMillis(), TimeUnit.MILLISECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly().waitFor();
        throw new IgnisException(
            ErrorCode.TRY_AGAIN_LATER,
            "'" + command.display() + "' did not finish within " + command.timeout().toSeconds()
                + " s and was killed");
      }
      CommandResult result =
          new CommandResult(command, process.exitValue(), stdout.get(), stderr.get());
      if (!result.stderr().isBlank()) {
        log.debug("{} stderr: {}", command.argv().get(0), result.stderr().strip());
      }
      return result;
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IgnisException(ErrorCode.TRY_AGAIN_LATER, "interrupted while running '" + command.display() + "'", e);
    } catch (ExecutionException e) {
      throw new IgnisException(ErrorCode.IO_FAILURE, "cannot read the output of '" + command.display() + "'", e);
    }
  }

  private static List<String> argvOf(Command command) {
    if (command.netnsPath().isEmpty()) {
      return command.argv();
    }
    List<String> argv = new ArrayList<>(List.of("nsenter", "--net=" + command.netnsPath(), "--"));
    argv.addAll(command.argv());
    return argv;
  }

  private static Process start(Command command, List<String> argv) {
    ProcessBuilder builder = new ProcessBuilder(argv);
    builder.environment().putAll(command.environment());
    try {
      return builder.start();
    } catch (IOException e) {
      throw new IgnisException(
          ErrorCode.PLUGIN_NOT_AVAILABLE,
          "cannot run '" + argv.get(0) + "': " + e.getMessage() + "; is it installed and on PATH?",
          e);
    }
  }

  private static void writeStdin(Process process, String stdin) {
    try (OutputStream in = process.getOutputStream()) {
      in.write(stdin.getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      // The process may exit without reading its input; its status tells what happened.
      log.debug("stdin not fully written: {}", e.getMessage());
    }
  }

  private static CompletableFuture<String> readAsync(InputStream stream) {
    CompletableFuture<String> future = new CompletableFuture<>();
    Thread reader = new Thread(() -> {
      try (stream) {
        future.complete(new String(stream.readAllBytes(), StandardCharsets.UTF_8));
      } catch (IOException e) {
        future.completeExceptionally(new UncheckedIOException(e));
      }
    }, "command-output");
    reader.setDaemon(true);
    reader.start();
    return future;
  }
}
