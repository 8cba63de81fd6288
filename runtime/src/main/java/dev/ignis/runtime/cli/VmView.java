package dev.ignis.runtime.cli;

import dev.ignis.runtime.guest.HostResolvers;
import dev.ignis.runtime.vm.GuestDns;
import dev.ignis.runtime.vm.Vm;
import dev.ignis.runtime.vm.VmStatus;
import dev.ignis.spi.IpConfig;
import dev.ignis.spi.PortMapping;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A VM as {@code ps} shows it.
 *
 * @param id the id
 * @param name the name
 * @param status the status
 * @param note what the status means now, when it needs saying
 * @param networkPlugin the plugin of its first network
 * @param network the network of that plugin the VM chose, empty for the plugin's default
 * @param ips the VM's addresses, over all its network cards
 * @param ports the host port mappings (in effect while attached, else asked for)
 * @param netns the sandbox netns path while it has one
 * @param createdAt when it was created
 * @param startedAt when it was last started
 * @param nics every network card of the VM, in order
 * @param dns the guest's nameservers and where they come from, while attached; else the VM's own
 *     ({@code --dns}), or none with source {@code chosen at start}
 * @param cpus its virtual CPUs
 * @param memoryMib its memory
 * @param image the id of the imported image it boots, or null for none
 * @param kernel {@code default}, an imported kernel's id, or a kernel file's path
 * @param diskMib the size of its disk as the guest sees it, once made (at its first start from
 *     an image); null without a disk
 * @param labels its labels ({@code --label KEY=VALUE})
 */
public record VmView(
    String id, String name, String status, String note, String networkPlugin, String network, List<String> ips,
    List<PortMapping> ports, String netns, Instant createdAt, Instant startedAt, List<Nic> nics, GuestDns dns, int cpus,
    int memoryMib, String image, String kernel, Long diskMib, java.util.Map<String, String> labels) {

  private static final HostResolvers HOST_RESOLVERS = new HostResolvers();

  /**
   * One network card as {@code ps} shows it.
   *
   * @param network its network ({@code PLUGIN} or {@code PLUGIN:NETWORK})
   * @param guestInterface its name inside the guest ({@code eth0}, {@code eth1}, ...)
   * @param mac its MAC
   * @param ips its addresses while attached
   */
  public record Nic(String network, String guestInterface, String mac, List<String> ips) {}

  public static VmView of(Vm vm, boolean interrupted, java.nio.file.Path vmDir) {
    List<Nic> nics = new java.util.ArrayList<>();
    for (int i = 0; i < vm.spec().networks().size(); i++) {
      var network = vm.spec().networks().get(i);
      // The VM's own addresses: its guest interface's, not the host end's a plugin also reports.
      List<String> nicIps = vm.attachment(i).map(a -> a.guestNic().map(nic -> nic.ips()).orElse(a.ips()).stream()
          .map(IpConfig::address).toList()).orElse(List.of());
      String mac = vm.attachment(i).flatMap(a -> a.guestNic()).map(nic -> nic.mac()).filter(m -> !m.isEmpty())
          .orElse(network.mac());
      nics.add(new Nic(network.label(), dev.ignis.runtime.vm.VmSpec.interfaceName(i), mac, nicIps));
    }
    List<String> ips = nics.stream().flatMap(nic -> nic.ips().stream()).toList();
    List<PortMapping> ports = vm.publishedPorts();
    String netns = vm.attachment(0).map(a -> a.netnsPath()).filter(path -> !path.isEmpty()).orElse(null);
    String note = vm.pending() != null
        ? "network not detached: " + vm.pending() + "; 'runtime stop " + vm.name() + "' or 'runtime gc' retries"
        : switch (vm.status()) {
      case STARTING, STOPPING -> interrupted ? "interrupted; run 'runtime gc' to finish the stop" : "in progress";
      case EXITED -> "the guest exited; its network stays attached until stop, rm or gc";
      default -> "";
    };
    GuestDns dns = vm.hasAttachments() || !vm.spec().dns().isEmpty()
        ? GuestDns.choose(vm.spec(), vm.attachments(), HOST_RESOLVERS) : new GuestDns(List.of(), "chosen at start");
    return new VmView(vm.id(), vm.name(), vm.status().label(), note, vm.spec().first().plugin(),
        vm.spec().first().network(), ips, ports, netns, vm.createdAt(),
        vm.startedAt(), nics, dns, vm.spec().cpus(), vm.spec().memoryMib(),
        vm.spec().boot().image().isEmpty() ? null : vm.spec().boot().image(),
        vm.spec().boot().kernel().isEmpty() ? dev.ignis.runtime.image.kernel.Kernels.DEFAULT
            : vm.spec().boot().kernel(),
        vm.spec().boot().image().isEmpty() ? null : diskMib(vmDir), vm.spec().labels());
  }

  private static Long diskMib(java.nio.file.Path vmDir) {
    var bytes = dev.ignis.runtime.image.oci.ImageBoot.diskSize(vmDir);
    return bytes.isPresent() ? bytes.getAsLong() >> 20 : null;
  }

  /** The IPs column: the addresses without their prefix length. */
  String ipsColumn() {
    return String.join(",", ips.stream().map(ip -> ip.contains("/") ? ip.substring(0, ip.indexOf('/')) : ip).toList());
  }

  /** The network column: each network's plugin and network chosen ({@code cni:lan}), comma-separated. */
  String networkColumn() {
    return String.join(",", nics.stream().map(Nic::network).toList());
  }

  /** The status column: {@code up 3m}, {@code created}, {@code exited}, ... */
  String statusColumn(Instant now) {
    if (status.equals(VmStatus.RUNNING.label())) {
      return "up " + age(startedAt, now);
    }
    return note.startsWith("interrupted") ? status + " (interrupted)"
        : note.startsWith("network not detached") ? status + " (detach pending)" : status;
  }

  static String age(Instant then, Instant now) {
    if (then == null) {
      return "";
    }
    Duration age = Duration.between(then, now);
    if (age.toDays() > 0) {
      return age.toDays() + "d";
    }
    if (age.toHours() > 0) {
      return age.toHours() + "h";
    }
    if (age.toMinutes() > 0) {
      return age.toMinutes() + "m";
    }
    return Math.max(0, age.toSeconds()) + "s";
  }

  /** The ports column: {@code 0.0.0.0:8080->80/tcp}, comma-separated. */
  String portsColumn() {
    return String.join(",", ports.stream().map(VmView::portText).toList());
  }

  private static String portText(PortMapping port) {
    return port.hostIp() + ":" + port.hostPort() + "->" + port.vmPort() + "/" + port.protocol().label();
  }
}
