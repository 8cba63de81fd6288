package dev.ignis.runtime.vm;

import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * How many starts of this process are between their checks and their network's ports being in
 * place at once: one per two CPUs, first come first served; the guests of starts past that
 * point boot on while the next ones attach. A single start already keeps two CPUs busy (its
 * guest boots while its plugin's processes attach the network), and attaches side by side
 * only slow each other: on a 2-CPU host without KVM, 16 runs at once took 0.5-0.8x the time
 * of the same runs one by one when every attach ran at once, and 0.8-1.0x taking turns.
 */
final class StartTurns {

  /** One set of turns per process: ignisd serves one state dir, and the CPUs are the host's. */
  static final StartTurns HOST = new StartTurns(Runtime.getRuntime().availableProcessors() / 2);

  private final Semaphore turns;

  StartTurns(int count) {
    this.turns = new Semaphore(Math.max(1, count), true);
  }

  /** A turn; closing it (idempotent) lets the next start go on. */
  interface Turn extends AutoCloseable {
    @Override
    void close();
  }

  /** Waits for a turn as long as it takes; a cancelled command (its thread interrupted) stops waiting. */
  Turn take() {
    try {
      turns.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IgnisException(ErrorCode.TRY_AGAIN_LATER, "interrupted while waiting for other VMs' starts", e);
    }
    AtomicBoolean open = new AtomicBoolean(true);
    return () -> {
      if (open.compareAndSet(true, false)) {
        turns.release();
      }
    };
  }
}
