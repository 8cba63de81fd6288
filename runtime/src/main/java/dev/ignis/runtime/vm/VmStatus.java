package dev.ignis.runtime.vm;

/**
 * Where a VM is in its life. {@code STARTING} and {@code STOPPING} are intents written before
 * the host is changed: a VM left in one of them by a crash is finished by {@code runtime gc}.
 */
public enum VmStatus {
  /** Created, never started. */
  CREATED,
  /** A start is under way (or was interrupted). */
  STARTING,
  /** Its guest runs, with the network attached. */
  RUNNING,
  /** A stop is under way (or was interrupted). */
  STOPPING,
  /** Its hypervisor died on its own; the network is still attached until stop, rm or gc. */
  EXITED,
  /** Stopped; the network is detached and the sandbox removed. */
  STOPPED;

  /** True for the states a crash can leave behind. */
  public boolean isTransitional() {
    return this == STARTING || this == STOPPING;
  }

  /** The lower-case name shown to users. */
  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
