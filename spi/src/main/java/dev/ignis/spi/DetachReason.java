package dev.ignis.spi;

/**
 * Why the runtime calls {@link NetworkPlugin#detach}.
 *
 * <p>A later minor SPI version may add reasons; treat one you do not know as {@link #REMOVE}.
 */
public enum DetachReason {

  /**
   * The VM stops (or its start failed, or {@code runtime gc} stops a VM whose guest died) and its
   * record stays: it will be attached again, with {@link AttachRequest#keptIps()} holding the
   * addresses it had. A plugin that can keep a lease or an identity for the VM across a stop may
   * keep it (and must then reclaim it in {@link NetworkPlugin#gc} once the VM is gone); tearing
   * everything down is correct as well.
   */
  STOP,

  /** The VM is removed ({@code runtime rm}): release everything held for it on this network. */
  REMOVE
}
