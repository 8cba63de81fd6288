package dev.ignis.runtime.hypervisor;

import java.time.Duration;

/**
 * Starts and stops guests. One implementation per hypervisor ({@link QemuDriver} now; a
 * Firecracker driver can follow). Thread-safe.
 */
public interface Hypervisor {

  /** Starts the guest in the background and returns at once. */
  GuestProcess start(GuestSpec spec);

  /**
   * Waits until the guest reports that it is ready ({@code IGNIS-READY} on its console).
   * Throws, with the console's last lines, if it dies or the timeout passes first.
   */
  void awaitReady(GuestProcess guest, Duration timeout);

  /** True while the hypervisor process of this guest runs. */
  boolean isAlive(GuestProcess guest);

  /** Asks the guest to power off (ACPI), and kills it if it is still there after {@code grace}. */
  void stop(GuestProcess guest, Duration grace);

  /**
   * The guest a start in {@code vmDir} left running before it could be recorded (a start
   * killed half-way), if any. The default knows of none.
   */
  default java.util.Optional<GuestProcess> find(java.nio.file.Path vmDir) {
    return java.util.Optional.empty();
  }

  /**
   * Connects or disconnects one of the guest's network cards (its {@code nic}th, from 0), as a
   * cable would: the guest sees its carrier go up or down. A guest whose card is down from its
   * first moments can wait for the carrier before it asks for an address, instead of asking
   * into a network not attached yet. The default cannot, and says so.
   */
  default void setLink(GuestProcess guest, int nic, boolean up) {
    throw new dev.ignis.spi.IgnisException(dev.ignis.spi.ErrorCode.NOT_SUPPORTED,
        "this hypervisor cannot connect or disconnect a guest's network card");
  }

  /** Kills the guest at once. Idempotent. */
  void kill(GuestProcess guest);
}
