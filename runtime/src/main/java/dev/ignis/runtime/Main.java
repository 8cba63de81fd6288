package dev.ignis.runtime;

import dev.ignis.runtime.cli.Cli;

/** The {@code runtime} command, run in this process. */
public final class Main {

  /** Exit status of a command cancelled with Ctrl-C, as shells report SIGINT. */
  private static final int CANCELLED = Cli.CANCELLED;

  private Main() {}

  public static void main(String[] args) {
    Thread command = Thread.currentThread();
    boolean[] cancelled = {false};
    // Ctrl-C (or SIGTERM) cancels the command as ignisd's do: its thread is interrupted and it
    // rolls back what it did (a run removes its half-made VM); a second signal leaves at once.
    for (String signal : new String[] {"INT", "TERM"}) {
      try {
        sun.misc.Signal.handle(new sun.misc.Signal(signal), received -> {
          if (cancelled[0]) {
            Runtime.getRuntime().halt(CANCELLED);
          }
          cancelled[0] = true;
          command.interrupt();
        });
      } catch (IllegalArgumentException e) {
        // The JVM keeps this signal for itself (-Xrs): the default applies.
      }
    }
    int status = Cli.forThisProcess().run(args);
    System.exit(cancelled[0] ? CANCELLED : status);
  }
}
