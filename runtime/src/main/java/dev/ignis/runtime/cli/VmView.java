package dev.ignis.runtime.cli;

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
 * @param networkPlugin the plugin
 * @param network the network of the plugin the VM chose, empty for the plugin's default
 * @param ips the VM's addresses
 * @param ports the host port mappings (in effect while running, else asked for)
 * @param netns the sandbox netns path while it has one
 * @param createdAt when it was created
 * @param startedAt when it was last started
 */
public record VmView(
    String id, String name, String status, String note, String networkPlugin, String network, List<String> ips,
    List<String> ports, String netns, Instant createdAt, Instant startedAt) {

  public static VmView of(Vm vm, boolean interrupted) {
    var attachment = vm.attachment();
    // The VM's own addresses: its guest interface's, not the host end's a plugin also reports.
    List<String> ips = attachment == null ? List.of() : attachment.guestNic().map(nic -> nic.ips())
        .orElse(attachment.ips()).stream().map(IpConfig::address).toList();
    List<PortMapping> ports = attachment == null ? vm.spec().ports() : attachment.ports();
    String netns = attachment != null && !attachment.netnsPath().isEmpty() ? attachment.netnsPath() : null;
    String note = vm.pending() != null
        ? "network not detached: " + vm.pending() + "; 'runtime stop " + vm.name() + "' or 'runtime gc' retries"
        : switch (vm.status()) {
      case STARTING, STOPPING -> interrupted ? "interrupted; run 'runtime gc' to finish the stop" : "in progress";
      case EXITED -> "the guest exited; its network stays attached until stop, rm or gc";
      default -> "";
    };
    return new VmView(vm.id(), vm.name(), vm.status().label(), note, vm.spec().networkPlugin(), vm.spec().network(), ips,
        ports.stream().map(VmView::portText).toList(), netns, vm.createdAt(), vm.startedAt());
  }

  /** The network column: the plugin, and the network chosen ({@code cni:lan}). */
  String networkColumn() {
    return network.isEmpty() ? networkPlugin : networkPlugin + ":" + network;
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

  private static String portText(PortMapping port) {
    return port.hostIp() + ":" + port.hostPort() + "->" + port.vmPort() + "/" + port.protocol().label();
  }
}
