package dev.ignis.plugin.dockerbridge;

import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.ContainerNetwork;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.NetworkSettings;
import com.github.dockerjava.api.model.Ports;
import dev.ignis.spi.Attachment;
import dev.ignis.spi.Dns;
import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import dev.ignis.spi.IpConfig;
import dev.ignis.spi.NetInterface;
import dev.ignis.spi.PortMapping;
import dev.ignis.spi.Route;
import dev.ignis.spi.VmRef;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Reads a started sandbox container into an {@link Attachment}: the netns Docker made (its
 * sandbox key), eth0's address, prefix, MAC and the bridge's real gateway as Docker reports
 * them (Ignite assumed {@code .1}), the DNS of the container's resolv.conf, and the port
 * bindings Docker put in place.
 */
final class SandboxNetwork {

  static final String BRIDGE = "bridge";

  private SandboxNetwork() {}

  static Attachment attachment(String pluginId, VmRef vm, InspectContainerResponse container,
      List<PortMapping> wanted) {
    NetworkSettings settings = container.getNetworkSettings();
    String name = SandboxContainers.nameOf(vm);
    ContainerNetwork bridge = settings == null || settings.getNetworks() == null ? null
        : settings.getNetworks().get(BRIDGE);
    if (bridge == null || bridge.getIpAddress() == null || bridge.getIpAddress().isEmpty()) {
      throw new IgnisException(ErrorCode.PLUGIN_FAILED, "Docker gave the sandbox " + name + " no address on its default"
          + " bridge; check 'docker network inspect bridge' (is dockerd running with --bridge=none?)");
    }
    String netns = settings.getSandboxKey();
    if (netns == null || netns.isEmpty() || !Files.exists(Path.of(netns))) {
      throw new IgnisException(ErrorCode.INVALID_NETNS, "the netns of sandbox " + name + " (" + netns + ") is not on"
          + " this host; docker-bridge needs the Docker Engine of this machine");
    }
    String gateway = bridge.getGateway() == null ? "" : bridge.getGateway();
    IpConfig ip = IpConfig.of(bridge.getIpAddress() + "/" + bridge.getIpPrefixLen(), gateway);
    // Docker names the container's interface eth0 in the sandbox it makes (bringsOwnSandbox).
    NetInterface eth0 = NetInterface.of("eth0", bridge.getMacAddress(), netns, List.of(ip));
    List<Route> routes = gateway.isEmpty() ? List.of() : List.of(Route.defaultVia(gateway));
    checkBound(name, settings.getPorts(), wanted);
    return Attachment.builder(pluginId, vm).netnsPath(netns).guestInterface(eth0.name()).addInterface(eth0)
        .routes(routes).dns(dns(container.getResolvConfPath())).ports(wanted)
        .putPluginState("container", container.getId()).putPluginState("name", name).build();
  }

  /** Every wanted mapping must be one of Docker's bindings, or the VM would silently miss a port. */
  static void checkBound(String name, Ports ports, List<PortMapping> wanted) {
    Map<ExposedPort, Ports.Binding[]> bindings = ports == null ? Map.of() : ports.getBindings();
    for (PortMapping mapping : wanted) {
      Ports.Binding[] bound = bindings.get(new ExposedPort(mapping.vmPort(),
          com.github.dockerjava.api.model.InternetProtocol.parse(mapping.protocol().label())));
      boolean found = bound != null && java.util.Arrays.stream(bound).anyMatch(b ->
          String.valueOf(mapping.hostPort()).equals(b.getHostPortSpec()));
      if (!found) {
        throw new IgnisException(ErrorCode.PLUGIN_FAILED, "Docker did not bind host port " + mapping.spec()
            + " for sandbox " + name + "; see 'docker port " + name + "'");
      }
    }
  }

  /** The DNS settings of the container's resolv.conf (Docker's choice for its default bridge). */
  static Dns dns(String resolvConfPath) {
    if (resolvConfPath == null || resolvConfPath.isEmpty()) {
      return Dns.NONE;
    }
    try {
      return ResolvConf.parse(Files.readString(Path.of(resolvConfPath)));
    } catch (IOException e) {
      return Dns.NONE;
    }
  }
}
