package dev.ignis.runtime.daemon;

import dev.ignis.runtime.client.DaemonAddress;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;

/** The daemon's own facts and its stop signal. */
final class DaemonLife {

  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(DaemonLife.class);

  private final DaemonAddress address;
  private final String version;
  private final Instant startedAt = Instant.now();
  private final CountDownLatch stop = new CountDownLatch(1);
  private final CountDownLatch finished = new CountDownLatch(1);

  DaemonLife(DaemonAddress address, String version) {
    this.address = address;
    this.version = version;
  }

  DaemonAddress address() {
    return address;
  }

  String version() {
    return version;
  }

  Instant startedAt() {
    return startedAt;
  }

  void requestStop(String why) {
    if (stop.getCount() > 0) {
      log.info("stopping: {}", why);
      stop.countDown();
    }
  }

  boolean stopping() {
    return stop.getCount() == 0;
  }

  /** Says the daemon has cancelled its commands and closed its socket. */
  void finished() {
    finished.countDown();
  }

  /**
   * Stops the daemon and waits until it has finished (for a signal's shutdown hook: the JVM
   * halts when its hooks return, and the commands in flight must roll back first).
   */
  void stopAndWait(String why, long seconds) {
    requestStop(why);
    try {
      finished.await(seconds, java.util.concurrent.TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
