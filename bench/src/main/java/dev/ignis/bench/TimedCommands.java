package dev.ignis.bench;

import dev.ignis.spi.Command;
import dev.ignis.spi.CommandResult;
import dev.ignis.spi.CommandRunner;
import java.util.concurrent.atomic.AtomicLong;

/** Runs commands through another runner and adds up their wall time: the floor of a network call. */
final class TimedCommands implements CommandRunner {

  private final CommandRunner delegate;
  private final AtomicLong nanos = new AtomicLong();

  TimedCommands(CommandRunner delegate) {
    this.delegate = delegate;
  }

  @Override
  public CommandResult run(Command command) {
    long start = System.nanoTime();
    try {
      return delegate.run(command);
    } finally {
      nanos.addAndGet(System.nanoTime() - start);
    }
  }

  /** The summed wall time so far, and resets it. */
  long takeNanos() {
    return nanos.getAndSet(0);
  }
}
