package dev.ignis.spi;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the runtime asks of {@link NetworkPlugin#validate} and {@link NetworkPlugin#attach}: one
 * network for one VM. Immutable.
 *
 * <p>Make one with {@link #builder}; the canonical constructor is there for serialization and
 * gains a component whenever a minor SPI version adds a field, so code that calls it breaks on
 * the next runtime. The builder and the accessors stay.
 *
 * <p>A VM may have several networks (one attach each, into the same sandbox); each names its own
 * interface, and addresses may be IPv4 or IPv6.
 *
 * @param vm the VM
 * @param netnsPath the sandbox netns the runtime made ({@code /run/netns/ignis-<id>}); empty when
 *     the plugin brings its own sandbox ({@link NetworkPlugin#bringsOwnSandbox()}), and always
 *     empty in {@link NetworkPlugin#validate}
 * @param network which of the plugin's networks the user chose for this VM ({@code --network
 *     PLUGIN:NETWORK}; for cni a CNI network's name), or empty for the plugin's default. A
 *     plugin that has one network, or does not know the name, refuses it in {@link
 *     NetworkPlugin#validate} with one line naming those it has. Since 2.2.0
 * @param interfaceName the name to give the interface this network adds to the sandbox; the
 *     runtime names a VM's networks {@code eth0}, {@code eth1}, ... in order. Use it, never a
 *     fixed name: another network of the same VM may hold {@code eth0}
 * @param mac the MAC the VM keeps for life on this network (lower-case colon form), or empty to
 *     let the plugin choose
 * @param requestedIps the addresses the user asked for ({@code --ip}): give the VM exactly these
 *     or fail. Plain IPs ({@code 10.61.0.5}, {@code fd00::5}) or, where the network has no range
 *     to take a prefix length from, with one ({@code 10.61.0.5/24})
 * @param keptIps the addresses the guest interface had when this VM was last attached (plain
 *     IPs): give them back if they are still free and still fit, else choose others without
 *     failing. Empty on a VM's first start. Never includes {@code requestedIps}
 * @param ports the host port mappings wanted from the start; the runtime has already checked
 *     that no other VM, listener or foreign port-forwarding rule on the host holds them
 * @param options the user's per-VM options for this plugin ({@code --net-opt key=value});
 *     refuse keys you do not know in {@link NetworkPlugin#validate}
 */
public record AttachRequest(
    VmRef vm,
    String netnsPath,
    String network,
    String interfaceName,
    String mac,
    List<String> requestedIps,
    List<String> keptIps,
    List<PortMapping> ports,
    Map<String, String> options) {

  /** The interface name of a VM's first network, used when none is given. */
  public static final String FIRST_INTERFACE = "eth0";

  /** Validates and copies; null strings become empty, a blank interface name {@code eth0}. */
  public AttachRequest {
    Values.required(vm, "VM");
    netnsPath = netnsPath == null ? "" : netnsPath;
    network = network == null ? "" : network;
    if (network.length() > 253 || network.chars().anyMatch(c -> c <= ' ' || c == ',' || c == '/')) {
      throw Values.invalid("network name '" + network + "' is not valid; use up to 253 characters without spaces,"
          + " commas or slashes");
    }
    interfaceName = interfaceName == null || interfaceName.isBlank() ? FIRST_INTERFACE : interfaceName;
    Values.interfaceName(interfaceName);
    mac = mac == null ? "" : mac;
    requestedIps = ips(requestedIps, "static IP");
    keptIps = ips(keptIps, "kept IP");
    ports = ports == null ? List.of() : List.copyOf(ports);
    options = options == null ? Map.of() : Map.copyOf(options);
  }

  private static List<String> ips(List<String> ips, String what) {
    List<String> copy = ips == null ? List.of() : List.copyOf(ips);
    copy.forEach(ip -> {
      if (!Values.isIpOrCidr(ip)) {
        throw Values.invalid(what + " '" + ip + "' is not an IP address; write it as 10.61.0.5, 10.61.0.5/16 or fd00::5");
      }
    });
    return copy;
  }

  /** A builder for a request about the given VM, with {@code eth0} and nothing else set. */
  public static Builder builder(VmRef vm) {
    return new Builder(vm);
  }

  /** A builder holding this request's values, to change some of them. */
  public Builder toBuilder() {
    return new Builder(vm).netnsPath(netnsPath).network(network).interfaceName(interfaceName).mac(mac).requestedIps(requestedIps)
        .keptIps(keptIps).ports(ports).options(options);
  }

  /** Builds an {@link AttachRequest}; not thread-safe. Unset fields are empty. */
  public static final class Builder {
    private final VmRef vm;
    private String netnsPath = "";
    private String network = "";
    private String interfaceName = FIRST_INTERFACE;
    private String mac = "";
    private List<String> requestedIps = List.of();
    private List<String> keptIps = List.of();
    private List<PortMapping> ports = List.of();
    private Map<String, String> options = Map.of();

    private Builder(VmRef vm) {
      this.vm = vm;
    }

    /** See {@link AttachRequest#netnsPath()}. */
    public Builder netnsPath(String path) {
      this.netnsPath = path;
      return this;
    }

    /** See {@link AttachRequest#network()}. */
    public Builder network(String name) {
      this.network = name;
      return this;
    }

    /** See {@link AttachRequest#interfaceName()}. */
    public Builder interfaceName(String name) {
      this.interfaceName = name;
      return this;
    }

    /** See {@link AttachRequest#mac()}. */
    public Builder mac(String value) {
      this.mac = value;
      return this;
    }

    /** See {@link AttachRequest#requestedIps()}. */
    public Builder requestedIps(List<String> ips) {
      this.requestedIps = new ArrayList<>(ips);
      return this;
    }

    /** See {@link AttachRequest#keptIps()}. */
    public Builder keptIps(List<String> ips) {
      this.keptIps = new ArrayList<>(ips);
      return this;
    }

    /** See {@link AttachRequest#ports()}. */
    public Builder ports(List<PortMapping> mappings) {
      this.ports = new ArrayList<>(mappings);
      return this;
    }

    /** See {@link AttachRequest#options()}. */
    public Builder options(Map<String, String> values) {
      this.options = new LinkedHashMap<>(values);
      return this;
    }

    /** The request; throws {@link ErrorCode#INVALID_ARGUMENT} naming a bad field. */
    public AttachRequest build() {
      return new AttachRequest(vm, netnsPath, network, interfaceName, mac, requestedIps, keptIps, ports, options);
    }
  }
}
