package dev.ignis.spi;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A VM's network as a plugin set it up: everything the runtime needs to link the guest and
 * everything the plugin needs to undo it later.
 *
 * <p>The runtime persists an attachment as soon as {@link NetworkPlugin#attach} returns and
 * hands the same value back to {@link NetworkPlugin#mapPorts} and {@link NetworkPlugin#detach},
 * also in a later process after a crash. So {@code pluginState} must hold whatever the plugin
 * needs to find its resources again (a container id, a network name); it is opaque to the
 * runtime and must not hold secrets.
 *
 * @param pluginId the id of the plugin that made it
 * @param vm the VM
 * @param netnsPath the sandbox netns path (the runtime's, or the plugin's own sandbox)
 * @param interfaces the interfaces set up, the VM's first
 * @param routes routes for the guest
 * @param dns DNS settings for the guest
 * @param ports the port mappings in effect
 * @param pluginState opaque plugin data kept with the VM
 */
public record Attachment(
    String pluginId,
    VmRef vm,
    String netnsPath,
    List<NetInterface> interfaces,
    List<Route> routes,
    Dns dns,
    List<PortMapping> ports,
    Map<String, String> pluginState) {

  /** Validates and copies. */
  public Attachment {
    Values.nonBlank(pluginId, "plugin id");
    Values.required(vm, "VM");
    netnsPath = netnsPath == null ? "" : netnsPath;
    interfaces = interfaces == null ? List.of() : List.copyOf(interfaces);
    routes = routes == null ? List.of() : List.copyOf(routes);
    dns = dns == null ? Dns.NONE : dns;
    ports = ports == null ? List.of() : List.copyOf(ports);
    pluginState = pluginState == null ? Map.of() : Map.copyOf(pluginState);
  }

  /** The same attachment with other port mappings in effect. */
  public Attachment withPorts(List<PortMapping> newPorts) {
    return new Attachment(pluginId, vm, netnsPath, interfaces, routes, dns, newPorts, pluginState);
  }

  /** The interface with the given name, if the plugin set it up. */
  public Optional<NetInterface> interfaceNamed(String name) {
    return interfaces.stream().filter(i -> i.name().equals(name)).findFirst();
  }

  /** Every address of every interface. */
  public List<IpConfig> ips() {
    return interfaces.stream().flatMap(i -> i.ips().stream()).toList();
  }
}
