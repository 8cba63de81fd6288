package dev.ignis.spi;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What the runtime tells {@link NetworkPlugin#gc}: which VMs exist and which of them hold a
 * network of this plugin. Immutable; make one with {@link #builder} (the canonical constructor
 * gains components in minor versions).
 *
 * @param existingVmIds the id of every VM the runtime has a record of, in any state (created,
 *     running, stopped, ...), plus the ids of records it cannot read: anything held for one of
 *     these must be kept, for a stopped VM comes back
 * @param attachments the attachments of this plugin the runtime holds right now (running VMs,
 *     VMs being started, and stopped VMs whose detach has not finished yet); their network must
 *     stay as it is
 * @param busyVmIds VMs another runtime command is working on right now (starting, stopping), or
 *     whose record cannot be read: they may hold network of this plugin that no attachment
 *     records yet; never reclaim what belongs to them
 */
public record GcRequest(Set<String> existingVmIds, List<Attachment> attachments, Set<String> busyVmIds) {

  /** Copies the collections. */
  public GcRequest {
    existingVmIds = existingVmIds == null ? Set.of() : Set.copyOf(existingVmIds);
    attachments = attachments == null ? List.of() : List.copyOf(attachments);
    busyVmIds = busyVmIds == null ? Set.of() : Set.copyOf(busyVmIds);
  }

  /**
   * The ids of the VMs that hold a network of this plugin, or may: those of {@link
   * #attachments()} and {@link #busyVmIds()}. Everything else of this plugin's may be torn down
   * (what belongs to a VM of {@link #existingVmIds()} that is stopped, too, unless the plugin
   * keeps it across a stop on purpose).
   */
  public Set<String> networkHoldingVmIds() {
    Set<String> ids = attachments.stream().map(a -> a.vm().id()).collect(Collectors.toSet());
    ids.addAll(busyVmIds);
    return Set.copyOf(ids);
  }

  /** A builder holding this request's values, to change some of them. */
  public Builder toBuilder() {
    return new Builder().existingVmIds(existingVmIds).attachments(attachments).busyVmIds(busyVmIds);
  }

  /** A builder with nothing set. */
  public static Builder builder() {
    return new Builder();
  }

  /** Builds a {@link GcRequest}; not thread-safe. */
  public static final class Builder {
    private Set<String> existingVmIds = Set.of();
    private List<Attachment> attachments = List.of();
    private Set<String> busyVmIds = Set.of();

    private Builder() {}

    /** See {@link GcRequest#existingVmIds()}. */
    public Builder existingVmIds(Set<String> ids) {
      this.existingVmIds = Set.copyOf(ids);
      return this;
    }

    /** See {@link GcRequest#attachments()}. */
    public Builder attachments(List<Attachment> held) {
      this.attachments = new ArrayList<>(held);
      return this;
    }

    /** See {@link GcRequest#busyVmIds()}. */
    public Builder busyVmIds(Set<String> ids) {
      this.busyVmIds = Set.copyOf(ids);
      return this;
    }

    /** The request. */
    public GcRequest build() {
      return new GcRequest(existingVmIds, attachments, busyVmIds);
    }
  }
}
