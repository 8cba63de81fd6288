package dev.ignis.runtime.daemon;

import com.google.inject.Singleton;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArraySet;

/**
 * The VM state changes ignisd has seen, handed to whoever listens ({@code GET /v1/events}).
 * A slow listener loses events rather than slowing the daemon: its queue holds 1,024, and a
 * full queue ends its stream with an {@code overflow} event.
 */
@Singleton
public final class VmEvents {

  /**
   * One change: a VM appeared ({@code created}), changed status, or went ({@code removed}).
   *
   * @param time when ignisd saw it
   * @param type {@code status}, {@code created}, {@code removed}, or {@code overflow} (events were lost)
   * @param id the VM id
   * @param name the VM name
   * @param status its status now ({@code removed} once gone)
   * @param previous its status before, empty for a new VM
   */
  public record Event(Instant time, String type, String id, String name, String status, String previous) {}

  private final Set<BlockingQueue<Event>> listeners = new CopyOnWriteArraySet<>();

  /** A new listener's queue; {@link #unsubscribe} it when done. */
  public BlockingQueue<Event> subscribe() {
    BlockingQueue<Event> queue = new ArrayBlockingQueue<>(1024);
    listeners.add(queue);
    return queue;
  }

  public void unsubscribe(BlockingQueue<Event> queue) {
    listeners.remove(queue);
  }

  void publish(Event event) {
    for (BlockingQueue<Event> queue : listeners) {
      if (!queue.offer(event)) {
        queue.clear();
        queue.offer(new Event(event.time(), "overflow", "", "", "", ""));
        listeners.remove(queue);
      }
    }
  }
}
