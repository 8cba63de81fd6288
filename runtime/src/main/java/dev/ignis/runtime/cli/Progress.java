package dev.ignis.runtime.cli;

import java.io.PrintStream;

/**
 * Shows that a long command is still working: on a terminal, "starting web... 4s" on standard
 * error, redrawn every half second and cleared at the end; elsewhere (pipes, tests) nothing.
 */
final class Progress implements AutoCloseable {

  private final PrintStream err;
  private final String what;
  private final Thread ticker;
  private volatile boolean done;

  private Progress(PrintStream err, String what, boolean terminal) {
    this.err = err;
    this.what = what;
    this.ticker = terminal ? new Thread(this::tick, "progress") : null;
    if (ticker != null) {
      ticker.setDaemon(true);
      ticker.start();
    }
  }

  /** Progress for {@code what} on the given stream, shown only when it is this process's terminal. */
  static Progress of(PrintStream err, String what) {
    return new Progress(err, what, err == System.err && System.console() != null);
  }

  private void tick() {
    long start = System.nanoTime();
    try {
      Thread.sleep(1000); // quick commands show nothing
      while (!done) {
        err.print("\r" + what + "... " + (System.nanoTime() - start) / 1_000_000_000 + "s ");
        err.flush();
        Thread.sleep(500);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    done = true;
    if (ticker != null) {
      ticker.interrupt();
      try {
        ticker.join(1000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      err.print("\r\033[K");
      err.flush();
    }
  }
}
