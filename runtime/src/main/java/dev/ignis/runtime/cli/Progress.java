package dev.ignis.runtime.cli;

import java.io.PrintStream;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Shows that a long command is still working: on a terminal, "starting VM web... 4s" on standard
 * error, with what it waits on when it waits on a network plugin ("starting VM web... 14s,
 * waiting for network plugin 'cni' (attach, 13 s of at most 300 s)"), redrawn every half second
 * and cleared at the end; elsewhere (pipes, tests) nothing.
 */
final class Progress implements AutoCloseable {

  private final PrintStream err;
  private final String what;
  private final Supplier<Optional<String>> waitingOn;
  private final Thread ticker;
  private final long delayMillis;
  private volatile boolean done;

  /** How long a command runs before its progress shows: quick commands show none. */
  static final long DEFAULT_DELAY_MILLIS = 1000;

  private Progress(PrintStream err, String what, Supplier<Optional<String>> waitingOn, boolean terminal,
      long delayMillis) {
    this.err = err;
    this.what = what;
    this.waitingOn = waitingOn;
    this.delayMillis = delayMillis;
    this.ticker = terminal ? new Thread(this::tick, "progress") : null;
    if (ticker != null) {
      ticker.setDaemon(true);
      ticker.start();
    }
  }

  /**
   * Progress that also names what the command waits on ({@link dev.ignis.runtime.plugin.Plugins#waitingOn}),
   * drawn only when {@code err} is the caller's terminal.
   */
  static Progress of(PrintStream err, String what, boolean terminal, Supplier<Optional<String>> waitingOn) {
    return of(err, what, terminal, waitingOn, DEFAULT_DELAY_MILLIS);
  }

  /** As {@link #of(PrintStream, String, boolean, Supplier)}, shown after {@code delayMillis}. */
  static Progress of(PrintStream err, String what, boolean terminal, Supplier<Optional<String>> waitingOn,
      long delayMillis) {
    return new Progress(err, what, waitingOn, terminal, delayMillis);
  }

  /** Progress drawn on any stream, as on a terminal (tests). */
  static Progress onTerminal(PrintStream err, String what, Supplier<Optional<String>> waitingOn) {
    return new Progress(err, what, waitingOn, true, DEFAULT_DELAY_MILLIS);
  }

  private void tick() {
    long start = System.nanoTime();
    try {
      Thread.sleep(delayMillis); // quick commands show nothing
      while (!done) {
        String waiting = waitingOn.get().map(call -> ", waiting for " + call).orElse("");
        err.print("\r\033[K" + what + "... " + (System.nanoTime() - start) / 1_000_000_000 + "s" + waiting + " ");
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
