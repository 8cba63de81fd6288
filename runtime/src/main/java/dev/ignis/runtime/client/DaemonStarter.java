package dev.ignis.runtime.client;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Finds the ignisd of a state dir, starting one when none runs: {@code bin/ignisd} detached in
 * a session of its own ({@code setsid}), its output appended to its log. Gives up (empty) where
 * none can run: a state dir that does not exist yet or this user cannot write, a socket path too long, a daemon that does
 * not come up; the caller then runs the command in its own process.
 */
public final class DaemonStarter {

  /** How long a starting ignisd may take to listen (loading plugins and the VM store). */
  static final Duration START_WAIT = Duration.ofSeconds(20);

  private DaemonStarter() {}

  /** A connection to the running ignisd, if one answers. */
  public static Optional<SocketChannel> connect(DaemonAddress address) {
    if (!address.socketPathFits() || !Files.exists(address.socket())) {
      return Optional.empty();
    }
    try {
      return Optional.of(UnixHttp.connect(address.socket()));
    } catch (IOException e) {
      return Optional.empty(); // a stale socket of a dead daemon, or not ours to use
    }
  }

  /** A connection to the state dir's ignisd, started now if none runs; empty if none can. */
  public static Optional<SocketChannel> connectOrStart(DaemonAddress address, Path home, boolean verbose) {
    Optional<SocketChannel> running = connect(address);
    if (running.isPresent() || !address.socketPathFits()) {
      return running;
    }
    Path ignisd = home.resolve("bin/ignisd");
    if (!Files.isExecutable(ignisd) || !canWrite(address.stateDir())) {
      return Optional.empty();
    }
    // Clients that find no daemon at the same moment start one between them: the others wait for
    // it (each starting its own JVM, only to find the daemon's lock taken, starved the one that
    // won on a small host: 16 runs at once, several gave up after START_WAIT).
    try {
      Files.createDirectories(address.dir());
      try (FileChannel channel = FileChannel.open(address.dir().resolve("start.lock"), StandardOpenOption.CREATE,
          StandardOpenOption.WRITE); FileLock held = lockWithin(channel, START_WAIT)) {
        Optional<SocketChannel> started = connect(address); // by the client that had the lock before
        return started.isPresent() ? started : start(address, ignisd, verbose);
      }
    } catch (IOException e) {
      return start(address, ignisd, verbose);
    }
  }

  /** The lock, waited for up to {@code wait}; null if another client holds it longer. */
  private static FileLock lockWithin(FileChannel channel, Duration wait) throws IOException {
    long deadline = System.nanoTime() + wait.toNanos();
    while (true) {
      FileLock lock = channel.tryLock();
      if (lock != null || System.nanoTime() > deadline) {
        return lock;
      }
      sleep(20);
    }
  }

  private static Optional<SocketChannel> start(DaemonAddress address, Path ignisd, boolean verbose) {
    Process process;
    try {
      process = new ProcessBuilder(List.of("setsid", ignisd.toString(), "--state-dir", address.stateDir().toString()))
          .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
          .redirectOutput(ProcessBuilder.Redirect.appendTo(address.log().toFile()))
          .redirectErrorStream(true)
          .start();
    } catch (IOException e) {
      note(verbose, "cannot start ignisd (" + e.getMessage() + "); running the command in this process");
      return Optional.empty();
    }
    long deadline = System.nanoTime() + START_WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      Optional<SocketChannel> channel = connect(address);
      if (channel.isPresent()) {
        return channel;
      }
      if (!process.isAlive() && process.exitValue() != 0) {
        break; // it failed; one that lost a start race to another exits 0 and the winner answers
      }
      sleep(20);
    }
    System.err.println("note: ignisd did not start (see " + address.log() + "); running the command in this process");
    return Optional.empty();
  }

  /**
   * Replaces an ignisd of another build (the installation was upgraded under it) by one of
   * this build, if it is idle: stopped (VMs keep running) and started afresh. Empty if it is
   * busy or does not go.
   */
  static Optional<SocketChannel> replaceOtherBuild(DaemonAddress address, Path home, boolean verbose) {
    long pid;
    try (UnixHttp.Response status = UnixHttp.request(address.socket(), "GET", "/v1/daemon", null, null)) {
      String body = status.bodyText();
      if (!body.replace(" ", "").contains("\"commandsRunning\":0")) {
        return Optional.empty();
      }
      pid = Long.parseLong(body.replaceAll("(?s).*\"pid\"\\s*:\\s*(\\d+).*", "$1"));
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
    try (UnixHttp.Response stop = UnixHttp.request(address.socket(), "POST", "/v1/daemon/stop", "application/json",
        new byte[0])) {
      stop.bodyText();
    } catch (IOException e) {
      return Optional.empty();
    }
    note(verbose, "ignisd " + pid + " ran another build of Ignis; starting this one");
    long deadline = System.nanoTime() + START_WAIT.toNanos();
    while (ProcessHandle.of(pid).isPresent() && System.nanoTime() < deadline) {
      sleep(20);
    }
    return connectOrStart(address, home, verbose);
  }

  /** A state dir that does not exist yet is left to the command (a typo must not get a daemon of its own). */
  private static boolean canWrite(Path stateDir) {
    return Files.isDirectory(stateDir) && Files.isWritable(stateDir);
  }

  private static void note(boolean verbose, String line) {
    if (verbose) {
      System.err.println("note: " + line);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
