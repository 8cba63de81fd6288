package dev.ignis.spi;

import java.util.List;
import java.util.Map;

/**
 * What the runtime asks of {@link NetworkPlugin#attach}.
 *
 * @param vm the VM
 * @param netnsPath the sandbox netns the runtime made ({@code /run/netns/ignis-<id>}), or empty
 *     when the plugin brings its own sandbox ({@link NetworkPlugin#bringsOwnSandbox()})
 * @param interfaceName the interface to create in the sandbox, {@code eth0} by default
 * @param mac the MAC the VM keeps for life (lower-case colon form), or empty to let the plugin
 *     choose
 * @param staticIps addresses the user asked for, possibly empty: plain IPs ({@code 10.61.0.5}), or
 *     with the prefix length where the user gave one ({@code 10.61.0.5/16}) because the network
 *     has no address range to take it from
 * @param ports the host port mappings wanted from the start
 * @param options free-form per-VM options for the plugin ({@code --net-opt key=value})
 */
public record AttachRequest(
    VmRef vm,
    String netnsPath,
    String interfaceName,
    String mac,
    List<String> staticIps,
    List<PortMapping> ports,
    Map<String, String> options) {

  /** The interface name used when none is given. */
  public static final String DEFAULT_INTERFACE = "eth0";

  /** Validates and copies; null strings become empty, a blank interface name {@code eth0}. */
  public AttachRequest {
    Values.required(vm, "VM");
    netnsPath = netnsPath == null ? "" : netnsPath;
    interfaceName =
        interfaceName == null || interfaceName.isBlank() ? DEFAULT_INTERFACE : interfaceName;
    mac = mac == null ? "" : mac;
    staticIps = staticIps == null ? List.of() : List.copyOf(staticIps);
    staticIps.forEach(ip -> {
      if (!Values.isIpOrCidr(ip)) {
        throw Values.invalid("static IP '" + ip + "' is not an IP address; write it as 10.61.0.5 or 10.61.0.5/16");
      }
    });
    ports = ports == null ? List.of() : List.copyOf(ports);
    options = options == null ? Map.of() : Map.copyOf(options);
  }
}
