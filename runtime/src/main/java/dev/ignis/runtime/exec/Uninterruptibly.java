package dev.ignis.runtime.exec;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;

/**
 * Runs a step that must not be cut short by a cancel, such as launching a process that
 * daemonizes: cut short, its daemon would run on with no pid file for the rollback to find.
 * The step runs on its own thread (which inherits the caller's routed output), the caller waits
 * for it to end whatever interrupts arrive meanwhile, and any interrupt stays set for the
 * caller's next step.
 */
public final class Uninterruptibly {

  private Uninterruptibly() {}

  /** The step's result; its unchecked exception is thrown as is. */
  public static <T> T call(String name, Supplier<T> step) {
    CompletableFuture<T> result = new CompletableFuture<>();
    Thread worker = new Thread(() -> {
      try {
        result.complete(step.get());
      } catch (Throwable t) {
        result.completeExceptionally(t);
      }
    }, name);
    worker.setDaemon(true);
    boolean interrupted = Thread.interrupted();
    worker.start();
    try {
      while (true) {
        try {
          return result.get();
        } catch (InterruptedException e) {
          interrupted = true;
        } catch (ExecutionException e) {
          if (e.getCause() instanceof RuntimeException runtime) {
            throw runtime;
          }
          if (e.getCause() instanceof Error error) {
            throw error;
          }
          throw new IllegalStateException(e.getCause());
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
