package dev.ignis.spi;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One network of a VM as a plugin set it up: everything the runtime needs to link the guest, and
 * everything the plugin needs to undo it later. Immutable.
 *
 * <p>Make one with {@link #builder}; the canonical constructor is there for serialization and
 * gains a component whenever a minor SPI version adds a field.
 *
 * <p>The runtime persists an attachment as soon as {@link NetworkPlugin#attach} returns and
 * hands the same value back to {@link NetworkPlugin#mapPorts}, {@link NetworkPlugin#check},
 * {@link NetworkPlugin#isIntact} and {@link NetworkPlugin#detach}, also in a later process after a
 * crash. So {@code pluginState} must hold whatever the plugin needs to find its resources again
 * (a container id, a network name); it is opaque to the runtime and must not hold secrets.
 *
 * <p><b>The guest interface.</b> {@code guestInterface} names the interface in the sandbox that
 * the runtime takes over for the guest. While the VM runs, the runtime adds a tap device to the
 * sandbox and redirects every frame arriving on the guest interface to the tap and back (tc
 * {@code ingress} qdisc with a {@code mirred} redirect on each), so the guest owns that
 * interface's MAC and addresses and the sandbox's own stack no longer sees its traffic. It serves
 * the guest the interface's first IPv4 address with its gateway (else the gateway of the
 * default route in {@code routes}) and the nameservers of {@code dns} by DHCP on the tap, and
 * passes them on the kernel command line; the guest uses the
 * interface's MAC. The runtime does not change the interface's addresses, routes, MAC or link
 * state. Before {@link NetworkPlugin#detach} it removes the tap and the qdisc again, so detach
 * finds the interface as attach left it. Other interfaces the plugin lists (the host end of a
 * veth, a bridge) are reported to users and left alone.
 *
 * @param pluginId the id of the plugin that made it
 * @param vm the VM
 * @param netnsPath the sandbox netns path (the runtime's, or the plugin's own sandbox)
 * @param guestInterface the name of the interface in the sandbox the runtime gives the guest; it
 *     must be one of {@code interfaces}, living in the sandbox
 * @param interfaces the interfaces set up, in the sandbox and on the host, with their addresses
 * @param routes routes for the guest (IPv4 and IPv6)
 * @param dns DNS settings for the guest
 * @param ports the port mappings in effect
 * @param pluginState opaque plugin data kept with the VM
 */
public record Attachment(
    String pluginId,
    VmRef vm,
    String netnsPath,
    String guestInterface,
    List<NetInterface> interfaces,
    List<Route> routes,
    Dns dns,
    List<PortMapping> ports,
    Map<String, String> pluginState) {

  /** Validates and copies; a null guest interface becomes empty (none named). */
  public Attachment {
    Values.nonBlank(pluginId, "plugin id");
    Values.required(vm, "VM");
    netnsPath = netnsPath == null ? "" : netnsPath;
    guestInterface = guestInterface == null ? "" : guestInterface;
    interfaces = interfaces == null ? List.of() : List.copyOf(interfaces);
    routes = routes == null ? List.of() : List.copyOf(routes);
    dns = dns == null ? Dns.NONE : dns;
    ports = ports == null ? List.of() : List.copyOf(ports);
    pluginState = pluginState == null ? Map.of() : Map.copyOf(pluginState);
  }

  /**
   * A builder for an attachment the given plugin made for the request's VM, with the request's
   * sandbox, its interface name as the guest interface, and its ports in effect.
   */
  public static Builder builder(String pluginId, AttachRequest request) {
    return new Builder(pluginId, request.vm()).netnsPath(request.netnsPath()).guestInterface(request.interfaceName())
        .ports(request.ports());
  }

  /**
   * A builder for an attachment of the given plugin and VM with nothing else set: for a plugin
   * that brings its own sandbox, and for the bare attachment the runtime passes to detach when a
   * crash left it only the VM (see {@link NetworkPlugin#detach}).
   */
  public static Builder builder(String pluginId, VmRef vm) {
    return new Builder(pluginId, vm);
  }

  /** A builder holding this attachment's values, to change some of them. */
  public Builder toBuilder() {
    return new Builder(pluginId, vm).netnsPath(netnsPath).guestInterface(guestInterface).interfaces(interfaces)
        .routes(routes).dns(dns).ports(ports).pluginState(pluginState);
  }

  /** The same attachment with other port mappings in effect. */
  public Attachment withPorts(List<PortMapping> newPorts) {
    return toBuilder().ports(newPorts).build();
  }

  /** The interface with the given name, if the plugin set it up. */
  public Optional<NetInterface> interfaceNamed(String name) {
    return interfaces.stream().filter(i -> i.name().equals(name)).findFirst();
  }

  /** The interface the guest gets, if {@code guestInterface} names one of {@code interfaces}. */
  public Optional<NetInterface> guestNic() {
    return guestInterface.isEmpty() ? Optional.empty() : interfaceNamed(guestInterface);
  }

  /** Every address of every interface, host side included. */
  public List<IpConfig> ips() {
    return interfaces.stream().flatMap(i -> i.ips().stream()).toList();
  }

  /** Builds an {@link Attachment}; not thread-safe. Unset lists are empty, DNS {@link Dns#NONE}. */
  public static final class Builder {
    private final String pluginId;
    private final VmRef vm;
    private String netnsPath = "";
    private String guestInterface = "";
    private List<NetInterface> interfaces = new ArrayList<>();
    private List<Route> routes = new ArrayList<>();
    private Dns dns = Dns.NONE;
    private List<PortMapping> ports = List.of();
    private Map<String, String> pluginState = new LinkedHashMap<>();

    private Builder(String pluginId, VmRef vm) {
      this.pluginId = pluginId;
      this.vm = vm;
    }

    /** See {@link Attachment#netnsPath()}. */
    public Builder netnsPath(String path) {
      this.netnsPath = path;
      return this;
    }

    /** See {@link Attachment#guestInterface()}. */
    public Builder guestInterface(String name) {
      this.guestInterface = name;
      return this;
    }

    /** See {@link Attachment#interfaces()}; replaces those added so far. */
    public Builder interfaces(List<NetInterface> nics) {
      this.interfaces = new ArrayList<>(nics);
      return this;
    }

    /** Adds one interface. */
    public Builder addInterface(NetInterface nic) {
      this.interfaces.add(nic);
      return this;
    }

    /** See {@link Attachment#routes()}; replaces those added so far. */
    public Builder routes(List<Route> list) {
      this.routes = new ArrayList<>(list);
      return this;
    }

    /** Adds one route. */
    public Builder addRoute(Route route) {
      this.routes.add(route);
      return this;
    }

    /** See {@link Attachment#dns()}. */
    public Builder dns(Dns value) {
      this.dns = value;
      return this;
    }

    /** See {@link Attachment#ports()}. */
    public Builder ports(List<PortMapping> mappings) {
      this.ports = new ArrayList<>(mappings);
      return this;
    }

    /** See {@link Attachment#pluginState()}; replaces what was put so far. */
    public Builder pluginState(Map<String, String> state) {
      this.pluginState = new LinkedHashMap<>(state);
      return this;
    }

    /** Puts one entry of plugin state. */
    public Builder putPluginState(String key, String value) {
      this.pluginState.put(key, value);
      return this;
    }

    /** The attachment; throws {@link ErrorCode#INVALID_ARGUMENT} naming a bad field. */
    public Attachment build() {
      return new Attachment(pluginId, vm, netnsPath, guestInterface, interfaces, routes, dns, ports, pluginState);
    }
  }
}
