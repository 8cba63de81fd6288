package growth;

import dev.ignis.spi.AttachRequest;
import dev.ignis.spi.Attachment;
import dev.ignis.spi.BootstrapRequest;
import dev.ignis.spi.BootstrapResult;
import dev.ignis.spi.DetachReason;
import dev.ignis.spi.Dns;
import dev.ignis.spi.Finding;
import dev.ignis.spi.GcRequest;
import dev.ignis.spi.IpConfig;
import dev.ignis.spi.NetInterface;
import dev.ignis.spi.NetworkPlugin;
import dev.ignis.spi.PortMapping;
import dev.ignis.spi.Protocol;
import dev.ignis.spi.Route;
import dev.ignis.spi.VmRef;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A plugin as the SPI's javadoc tells authors to write one: values only through builders and factories. */
public final class GrowingPlugin implements NetworkPlugin {

  @Override
  public String id() {
    return "growing";
  }

  @Override
  public BootstrapResult bootstrap(BootstrapRequest request) {
    return BootstrapResult.of(List.of(Finding.ok("host", request.action())));
  }

  @Override
  public Attachment attach(AttachRequest request) {
    NetInterface nic = NetInterface.of(request.interfaceName(), request.mac(), request.netnsPath(),
        List.of(IpConfig.of("10.9.0.2/30", "10.9.0.1"), IpConfig.of("fd00::2/64")));
    return Attachment.builder(id(), request).addInterface(nic).addRoute(Route.defaultVia("10.9.0.1"))
        .addRoute(Route.of("fd00::/8", "")).dns(Dns.of(List.of("10.9.0.1"), "lan", List.of("lan")))
        .putPluginState("pool", "10.9.0.0/24").build();
  }

  @Override
  public List<PortMapping> mapPorts(Attachment attachment, List<PortMapping> wanted) {
    return wanted;
  }

  @Override
  public void detach(Attachment attachment, DetachReason reason) {}

  /** Everything a plugin makes and reads, as one line, so two SPI versions can be compared. */
  public static String exercise() {
    NetworkPlugin plugin = new GrowingPlugin();
    AttachRequest request = AttachRequest.builder(VmRef.of("0123456789abcdef", "web")).netnsPath("/run/netns/x")
        .interfaceName("eth1").mac("02:00:00:00:00:01").requestedIps(List.of("10.9.0.2")).keptIps(List.of("fd00::2"))
        .ports(List.of(PortMapping.of("", 8080, 80, Protocol.TCP))).options(Map.of("k", "v")).build();
    Attachment attachment = plugin.attach(request.toBuilder().mac("02:00:00:00:00:02").build());
    attachment = attachment.withPorts(plugin.mapPorts(attachment, List.of(PortMapping.parse("[::1]:8081:81/udp"))));
    attachment = attachment.toBuilder().putPluginState("more", "state").build();
    GcRequest gc = GcRequest.builder().existingVmIds(Set.of("0123456789abcdef")).attachments(List.of(attachment))
        .build();
    plugin.detach(attachment, DetachReason.STOP);
    return String.join(" | ", request.vm().toString(), request.interfaceName(), String.valueOf(request.requestedIps()),
        String.valueOf(request.keptIps()), String.valueOf(request.options()), attachment.guestInterface(),
        attachment.guestNic().orElseThrow().mac(), String.valueOf(attachment.ips().stream().map(IpConfig::address).toList()),
        String.valueOf(attachment.routes().size()), attachment.dns().domain(), String.valueOf(attachment.ports()),
        String.valueOf(new java.util.TreeMap<>(attachment.pluginState())), String.valueOf(gc.networkHoldingVmIds()),
        String.valueOf(plugin.bootstrap(BootstrapRequest.of("", List.of())).ok()));
  }
}
