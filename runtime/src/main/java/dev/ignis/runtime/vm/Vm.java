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
 * @param attachment its network as the plugin set it up, null while detached
 * @param keptIps the addresses its guest interface had when last attached, asked for again at
 *     the next start so that a VM keeps its IP across stop and start
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
    Attachment attachment,
    List<String> keptIps,
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
    keptIps = keptIps == null ? List.of() : List.copyOf(keptIps);
    attachment = namingGuestInterface(attachment);
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
    return new Vm(HexFormat.of().formatHex(bytes), spec, VmStatus.CREATED, now, null, null, null, List.of(), null, null);
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
    return new Vm(id, spec, newStatus, createdAt, startedAt, netns, attachment, keptIps, guest, pending);
  }

  public Vm withSpec(VmSpec newSpec) {
    return new Vm(id, newSpec, status, createdAt, startedAt, netns, attachment, keptIps, guest, pending);
  }

  public Vm withNetns(String newNetns) {
    return new Vm(id, spec, status, createdAt, startedAt, newNetns, attachment, keptIps, guest, pending);
  }

  public Vm withAttachment(Attachment newAttachment) {
    return new Vm(id, spec, status, createdAt, startedAt, netns, newAttachment, keptIps, guest, pending);
  }

  /** This record remembering the addresses of its attachment. */
  public Vm keepingIps(List<String> ips) {
    return new Vm(id, spec, status, createdAt, startedAt, netns, attachment, ips, guest, pending);
  }

  /** This record with its hypervisor process, or null once it is gone. */
  public Vm withGuest(GuestProcess newGuest) {
    return new Vm(id, spec, status, createdAt, startedAt, netns, attachment, keptIps, newGuest, pending);
  }

  /** This record noting what a teardown could not finish, or null once nothing is pending. */
  public Vm withPending(String what) {
    return new Vm(id, spec, status, createdAt, startedAt, netns, attachment, keptIps, guest, what);
  }

  public Vm started(Instant at) {
    return new Vm(id, spec, VmStatus.RUNNING, createdAt, at, netns, attachment, keptIps, guest, pending);
  }
}
