package dev.ignis.tck;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ignis.runtime.exec.ProcessCommandRunner;
import dev.ignis.runtime.guest.GuestLink;
import dev.ignis.spi.AttachRequest;
import dev.ignis.spi.Attachment;
import dev.ignis.spi.Command;
import dev.ignis.spi.CommandRunner;
import dev.ignis.spi.DetachReason;
import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import dev.ignis.spi.IpConfig;
import dev.ignis.spi.NetInterface;
import dev.ignis.spi.NetworkPlugin;
import dev.ignis.spi.PortMapping;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The plugin as the kit drives it: the runtime's part of each call (sandboxes, the guest link,
 * host ports in effect) and the bookkeeping that lets every check clean up after itself.
 */
final class TckPlugin implements AutoCloseable {

  private final NetworkPlugin plugin;
  private final TckTarget target;
  private final TckContext context;
  private final Sandboxes sandboxes;
  private final GuestLink link;
  private final Map<String, Attachment> live = new ConcurrentHashMap<>();
  /** The kit's own commands, on the real host (the plugin's may run on a test node). */
  private final CommandRunner commands = new ProcessCommandRunner();

  TckPlugin(NetworkPlugin plugin, TckTarget target, TckContext context) {
    this.plugin = plugin;
    this.target = target;
    this.context = context;
    this.sandboxes = new Sandboxes(commands);
    this.link = new GuestLink(commands);
  }

  /** A request for a new VM, in a new sandbox unless the plugin brings its own. */
  AttachRequest request(List<PortMapping> ports) {
    return TckVms.request(plugin.bringsOwnSandbox() ? "" : sandboxes.make(), ports);
  }

  /** validate, then attach, as the runtime calls them; the attachment must be well formed. */
  Attachment attach(AttachRequest request) {
    plugin.validate(request.toBuilder().netnsPath("").build());
    Attachment attachment = plugin.attach(request);
    live.put(request.vm().id(), attachment);
    assertThat(attachment.pluginId()).as("pluginId").isEqualTo(plugin.id());
    assertThat(attachment.vm()).as("vm").isEqualTo(request.vm());
    assertThat(attachment.guestNic()).as("the guest interface '%s' among %s", attachment.guestInterface(),
        attachment.interfaces()).hasValueSatisfying(nic -> assertThat(nic.sandbox()).isNotEmpty());
    if (!plugin.bringsOwnSandbox()) {
      assertThat(attachment.netnsPath()).as("netnsPath").isEqualTo(request.netnsPath());
      assertThat(attachment.guestInterface()).as("guest interface").isEqualTo(request.interfaceName());
    }
    assertThat(new HashSet<>(attachment.ports())).as("ports in effect").isEqualTo(new HashSet<>(request.ports()));
    return attachment;
  }

  /** What the runtime does around a running guest: the tap and redirects, then their removal. */
  void linkAndUnlink(Attachment attachment) {
    NetInterface nic = attachment.guestNic().orElseThrow();
    link.connect(attachment.netnsPath(), nic.name(), GuestLink.TAP);
    link.disconnect(attachment.netnsPath(), nic.name(), GuestLink.TAP, nic.ips().stream().map(IpConfig::address).toList());
  }

  void detach(Attachment attachment, DetachReason reason) {
    plugin.detach(attachment, reason);
    live.remove(attachment.vm().id());
  }

  /** detach, then the runtime removes its sandbox. */
  void detachAndRemove(Attachment attachment, DetachReason reason) {
    detach(attachment, reason);
    if (!plugin.bringsOwnSandbox()) {
      sandboxes.remove(attachment.netnsPath());
    }
  }

  /** Drops the kit's record of an attachment, as a crash drops the runtime's. */
  void forget(Attachment attachment) {
    live.remove(attachment.vm().id());
  }

  /** Removes a request's sandbox (the runtime does after a failed attach or gc). */
  void remove(AttachRequest request) {
    if (!request.netnsPath().isEmpty() && request.netnsPath().startsWith("/run/netns/")) {
      sandboxes.remove(request.netnsPath());
    }
  }

  /** mapPorts to other ports: applied live and visible, or refused with NOT_SUPPORTED and unchanged. */
  Attachment changePorts(Attachment attachment, List<PortMapping> wanted) {
    List<PortMapping> effective;
    try {
      effective = plugin.mapPorts(attachment, wanted);
    } catch (IgnisException e) {
      assertThat(e.code()).as("a refused port change: %s", e.getMessage()).isEqualTo(ErrorCode.NOT_SUPPORTED);
      attachment.ports().forEach(p -> assertThat(isPublished(p)).as("port %s after a refused change", p).isTrue());
      return attachment;
    }
    assertThat(new HashSet<>(effective)).as("ports in effect after mapPorts").isEqualTo(new HashSet<>(wanted));
    wanted.forEach(p -> assertThat(isPublished(p)).as("port %s after mapPorts", p).isTrue());
    attachment.ports().stream().filter(p -> !wanted.contains(p))
        .forEach(p -> assertThat(isPublished(p)).as("port %s after mapPorts dropped it", p).isFalse());
    Attachment changed = attachment.withPorts(effective);
    live.put(changed.vm().id(), changed);
    return changed;
  }

  /** True if the host port shows as a listener or a DNAT rule on the host or an observed netns. */
  boolean isPublished(PortMapping port) {
    List<String> places = new ArrayList<>(List.of(""));
    places.addAll(target.observedNetns());
    if (!target.hostNetns().isEmpty()) {
      places.add(target.hostNetns());
    }
    for (String netns : places) {
      String rules = output(netns, "iptables-save", "-t", "nat") + output(netns, "ip6tables-save", "-t", "nat");
      if (rules.contains("--dport " + port.hostPort() + " ") || rules.contains("--dport " + port.hostPort() + "\n")) {
        return true;
      }
      boolean listening = output(netns, "ss", "-Hlntu").lines()
          .anyMatch(l -> l.split("\\s+").length > 4 && l.split("\\s+")[4].endsWith(":" + port.hostPort()));
      if (listening) {
        return true;
      }
    }
    return false;
  }

  /** The guest interface is in the sandbox with the MAC and addresses the attachment reports. */
  void assertGuestInterfaceIsReal(Attachment attachment, AttachRequest request) {
    NetInterface nic = attachment.guestNic().orElseThrow();
    String shown = output(attachment.netnsPath(), "ip", "-o", "link", "show", "dev", nic.name());
    assertThat(shown).as("interface %s in %s", nic.name(), attachment.netnsPath()).isNotEmpty();
    if (!nic.mac().isEmpty()) {
      assertThat(shown).as("its MAC").contains(nic.mac());
    }
    assertThat(shown).as("the MAC the VM asked for").contains(request.mac());
    String addresses = output(attachment.netnsPath(), "ip", "-o", "addr", "show", "dev", nic.name());
    nic.ips().forEach(ip -> assertThat(addresses).as("address %s on %s", ip.address(), nic.name())
        .contains(" " + ip.address() + " "));
  }

  void deleteGuestInterface(Attachment attachment) {
    commands.run(Command.of("ip", "link", "delete", attachment.guestInterface())
        .inNetns(attachment.netnsPath())).orThrow(ErrorCode.INVALID_NETNS);
  }

  HostState state() {
    List<Path> dirs = new ArrayList<>(target.observedDirs());
    dirs.add(context.stateDir());
    List<String> places = new ArrayList<>(target.observedNetns());
    if (!target.hostNetns().isEmpty()) {
      places.add(target.hostNetns());
    }
    return HostState.capture(commands, places, dirs);
  }

  /** Detaches what a failed check left attached, and removes its sandboxes. */
  void cleanUp() {
    for (Attachment attachment : List.copyOf(live.values())) {
      try {
        detach(attachment, DetachReason.REMOVE);
      } catch (RuntimeException e) {
        // The check already failed; its message is the one that matters.
      }
    }
    sandboxes.close();
  }

  @Override
  public void close() {
    cleanUp();
  }

  private String output(String netns, String... argv) {
    return HostState.output(commands, netns, argv);
  }
}
