package dev.ignis.runtime.vm;

import dev.ignis.runtime.hypervisor.GuestProcess;
import dev.ignis.spi.Attachment;
import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import dev.ignis.spi.VmRef;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;

/**
 * A VM record as stored in {@code <state>/vms/<id>/vm.json}.
 *
 * @param id 16 lower-case hex digits, fixed for life
 * @param spec what the user asked for
 * @param status where the VM is in its life
 * @param createdAt when it was created
 * @param startedAt when it was last started, null if never
 * @param netns the name of its sandbox netns while it has one, else null
 * @param attachments its networks as their plugins set them up, in the order of the spec's
 *     networks; empty while detached, and during a start those attached so far. Records written
 *     before VMs had several networks read their {@code attachment} as the one
 * @param keptIps per network, the addresses its guest interface had when last attached, asked
 *     for again at the next start so that a VM keeps its IPs across stop and start. Records
 *     written before VMs had several networks read their flat list as the first network's
 * @param guest its hypervisor process while it runs, else null
 * @param pending what the last stop could not undo (a network whose teardown failed), shown to
 *     users until a later stop, rm or gc finishes it; else null
 */
public record Vm(
    String id,
    VmSpec spec,
    VmStatus status,
    Instant createdAt,
    Instant startedAt,
    String netns,
    List<Attachment> attachments,
    List<List<String>> keptIps,
    GuestProcess guest,
    String pending) {

  /** Made on first use: seeding a SecureRandom costs start-up time that listing VMs need not pay. */
  private static final class Random {
    static final SecureRandom SOURCE = new SecureRandom();
  }

  /** Validates the id and the required fields. */
  public Vm {
    if (id == null || !id.matches("[0-9a-f]{16}")) {
      throw new IgnisException(ErrorCode.DECODING_FAILURE, "VM id '" + id + "' is not 16 hex digits");
    }
    if (spec == null || status == null || createdAt == null) {
      throw new IgnisException(ErrorCode.DECODING_FAILURE, "VM " + id + " lacks spec, status or createdAt");
    }
    keptIps = keptIps == null ? List.of() : keptIps.stream().map(ips -> ips == null ? List.<String>of()
        : List.copyOf(ips)).toList();
    attachments = attachments == null ? List.of() : attachments.stream().map(Vm::namingGuestInterface).toList();
  }

  /** Reads a record: today's, or one written before VMs had several networks ({@code attachment}, flat {@code keptIps}). */
  @com.fasterxml.jackson.annotation.JsonCreator
  static Vm fromJson(
      @com.fasterxml.jackson.annotation.JsonProperty("id") String id,
      @com.fasterxml.jackson.annotation.JsonProperty("spec") VmSpec spec,
      @com.fasterxml.jackson.annotation.JsonProperty("status") VmStatus status,
      @com.fasterxml.jackson.annotation.JsonProperty("createdAt") Instant createdAt,
      @com.fasterxml.jackson.annotation.JsonProperty("startedAt") Instant startedAt,
      @com.fasterxml.jackson.annotation.JsonProperty("netns") String netns,
      @com.fasterxml.jackson.annotation.JsonProperty("attachments") List<Attachment> attachments,
      @com.fasterxml.jackson.annotation.JsonProperty("attachment") Attachment attachment,
      @com.fasterxml.jackson.annotation.JsonProperty("keptIps") com.fasterxml.jackson.databind.JsonNode keptIps,
      @com.fasterxml.jackson.annotation.JsonProperty("guest") GuestProcess guest,
      @com.fasterxml.jackson.annotation.JsonProperty("pending") String pending) {
    if (attachments == null && attachment != null) {
      attachments = List.of(attachment);
    }
    return new Vm(id, spec, status, createdAt, startedAt, netns, attachments, keptIpsOf(keptIps), guest, pending);
  }

  /** Per network (a list of lists), or the one network's of an older record (a flat list). */
  private static List<List<String>> keptIpsOf(com.fasterxml.jackson.databind.JsonNode node) {
    if (node == null || !node.isArray() || node.isEmpty()) {
      return List.of();
    }
    java.util.function.Function<com.fasterxml.jackson.databind.JsonNode, List<String>> strings = array -> {
      List<String> ips = new java.util.ArrayList<>();
      array.forEach(ip -> ips.add(ip.asText()));
      return ips;
    };
    if (node.get(0).isTextual()) {
      return List.of(strings.apply(node));
    }
    List<List<String>> perNetwork = new java.util.ArrayList<>();
    node.forEach(ips -> perNetwork.add(strings.apply(ips)));
    return perNetwork;
  }

  /** The attachment of the VM's {@code index}th network, if it is attached. */
  public java.util.Optional<Attachment> attachment(int index) {
    return index < attachments.size() ? java.util.Optional.of(attachments.get(index)) : java.util.Optional.empty();
  }

  /** The addresses the {@code index}th network's guest interface had when last attached. */
  public List<String> keptIps(int index) {
    return index < keptIps.size() ? keptIps.get(index) : List.of();
  }

  /** The host ports the VM publishes: as its plugins applied them while attached, else as asked for. */
  public List<dev.ignis.spi.PortMapping> publishedPorts() {
    return attachments.isEmpty() ? spec.ports() : attachments.stream().flatMap(a -> a.ports().stream()).toList();
  }

  /** Every address its networks gave it (empty while detached). */
  public List<dev.ignis.spi.IpConfig> ips() {
    return attachments.stream().flatMap(a -> a.ips().stream()).toList();
  }

  /** Whether any network is attached (a running VM's are all). */
  public boolean hasAttachments() {
    return !attachments.isEmpty();
  }

  /**
   * Records written with SPI 1.x attachments name no guest interface: the runtime then gave the
   * guest {@code eth0}, else the first interface.
   */
  private static Attachment namingGuestInterface(Attachment attachment) {
    if (attachment == null || !attachment.guestInterface().isEmpty() || attachment.interfaces().isEmpty()) {
      return attachment;
    }
    String name = attachment.interfaceNamed("eth0").orElse(attachment.interfaces().get(0)).name();
    return attachment.toBuilder().guestInterface(name).build();
  }

  /** A new VM record, not yet started. */
  public static Vm create(VmSpec spec, Instant now) {
    byte[] bytes = new byte[8];
    Random.SOURCE.nextBytes(bytes);
    return new Vm(HexFormat.of().formatHex(bytes), spec, VmStatus.CREATED, now, null, null, List.of(), List.of(), null,
        null);
  }

  /** The name of the VM's sandbox netns when the runtime makes it. */
  public String defaultNetnsName() {
    return "ignis-" + id;
  }

  /** The reference plugins see. */
  public VmRef ref() {
    return new VmRef(id, spec.name());
  }

  /** The name. */
  public String name() {
    return spec.name();
  }

  public Vm withStatus(VmStatus newStatus) {
    return new Vm(id, spec, newStatus, createdAt, startedAt, netns, attachments, keptIps, guest, pending);
  }

  public Vm withSpec(VmSpec newSpec) {
    return new Vm(id, newSpec, status, createdAt, startedAt, netns, attachments, keptIps, guest, pending);
  }

  public Vm withNetns(String newNetns) {
    return new Vm(id, spec, status, createdAt, startedAt, newNetns, attachments, keptIps, guest, pending);
  }

  /** This record with these attachments (none once detached). */
  public Vm withAttachments(List<Attachment> newAttachments) {
    return new Vm(id, spec, status, createdAt, startedAt, netns, newAttachments, keptIps, guest, pending);
  }

  /**
   * This record with the {@code index}th network's attachment set (the next one, or one
   * attached before), remembering the addresses of its guest interface.
   */
  public Vm withAttachment(int index, Attachment attachment) {
    List<Attachment> all = new java.util.ArrayList<>(attachments);
    if (index == all.size()) {
      all.add(attachment);
    } else {
      all.set(index, attachment);
    }
    List<List<String>> kept = new java.util.ArrayList<>(keptIps);
    while (kept.size() <= index) {
      kept.add(List.of());
    }
    kept.set(index, attachment.guestNic().map(nic -> nic.ips().stream().map(dev.ignis.spi.IpConfig::ip).toList())
        .orElse(List.of()));
    return new Vm(id, spec, status, createdAt, startedAt, netns, all, kept, guest, pending);
  }

  /** This record with its hypervisor process, or null once it is gone. */
  public Vm withGuest(GuestProcess newGuest) {
    return new Vm(id, spec, status, createdAt, startedAt, netns, attachments, keptIps, newGuest, pending);
  }

  /** This record noting what a teardown could not finish, or null once nothing is pending. */
  public Vm withPending(String what) {
    return new Vm(id, spec, status, createdAt, startedAt, netns, attachments, keptIps, guest, what);
  }

  public Vm started(Instant at) {
    return new Vm(id, spec, VmStatus.RUNNING, createdAt, at, netns, attachments, keptIps, guest, pending);
  }
}
