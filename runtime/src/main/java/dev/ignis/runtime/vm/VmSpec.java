package dev.ignis.runtime.vm;

import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import dev.ignis.spi.IpConfig;
import dev.ignis.spi.PortMapping;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * What the user asked for when creating a VM; fixed for the VM's life except the network
 * plugin (which {@code start --network-plugin} may change) and ports.
 *
 * @param name unique, lower-case letters, digits and dashes, at most 63 characters
 * @param boot kernel, initrd, extra kernel arguments and accelerator
 * @param cpus virtual CPUs, 1 to 32
 * @param memoryMib memory in MiB, 64 to 65536
 * @param mac the MAC the VM keeps across stop and start
 * @param staticIps addresses the user asked for (with a prefix length where they gave one), possibly empty
 * @param ports host port mappings
 * @param networkPlugin the id of the network plugin
 * @param netOptions options for the network plugin ({@code --net-opt key=value}), passed to it as
 *     they are
 * @param network which of the plugin's networks ({@code --network PLUGIN:NETWORK}), empty for
 *     the plugin's default; records written before it existed read as empty
 */
public record VmSpec(
    String name,
    BootSpec boot,
    int cpus,
    int memoryMib,
    String mac,
    List<String> staticIps,
    List<PortMapping> ports,
    String networkPlugin,
    Map<String, String> netOptions,
    String network) {

  private static final Pattern NET_OPTION_KEY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");

  private static final Pattern NAME = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

  /** Validates every field with a message naming it and the fix. */
  public VmSpec {
    checkName(name);
    boot = boot == null ? BootSpec.DEFAULT : boot;
    if (cpus < 1 || cpus > 32) {
      throw invalid("--cpus " + cpus + " is out of range; use 1 to 32");
    }
    if (memoryMib < 64 || memoryMib > 65536) {
      throw invalid("--memory " + memoryMib + " MiB is out of range; use 64 to 65536 MiB");
    }
    mac = new MacAddress(mac).value();
    staticIps = List.copyOf(staticIps);
    for (String ip : staticIps) {
      if (!IpConfig.isIpOrCidr(ip)) {
        throw invalid("--ip '" + ip + "' is not an IP address; write it as 10.61.0.50 (or 10.61.0.50/24 where the"
            + " network names no range)");
      }
    }
    if (staticIps.stream().distinct().count() < staticIps.size()) {
      throw invalid("--ip " + staticIps + " names an address twice; give each once");
    }
    ports = List.copyOf(ports);
    checkPortsDistinct(ports);
    if (networkPlugin == null || !networkPlugin.matches("[a-z0-9][a-z0-9._-]*")) {
      throw invalid("network plugin id '" + networkPlugin + "' is not valid; see 'runtime plugins'");
    }
    netOptions = netOptions == null ? Map.of() : Map.copyOf(new TreeMap<>(netOptions));
    netOptions.forEach(VmSpec::checkNetOption);
    network = network == null ? "" : network;
    checkNetworkName(network);
  }

  /** A spec on the plugin's default network. */
  public VmSpec(String name, BootSpec boot, int cpus, int memoryMib, String mac, List<String> staticIps,
      List<PortMapping> ports, String networkPlugin, Map<String, String> netOptions) {
    this(name, boot, cpus, memoryMib, mac, staticIps, ports, networkPlugin, netOptions, "");
  }

  /** A spec without network plugin options. */
  public VmSpec(String name, BootSpec boot, int cpus, int memoryMib, String mac, List<String> staticIps,
      List<PortMapping> ports, String networkPlugin) {
    this(name, boot, cpus, memoryMib, mac, staticIps, ports, networkPlugin, Map.of(), "");
  }

  /** Throws unless the name can name a network of a plugin (as {@code AttachRequest} takes it). */
  static void checkNetworkName(String network) {
    if (network.length() > 253 || network.chars().anyMatch(c -> c <= ' ' || c == ',' || c == '/' || c == ':')) {
      throw invalid("network name '" + network + "' is not valid; use up to 253 characters without spaces, commas,"
          + " colons or slashes (--network PLUGIN:NETWORK)");
    }
  }

  private static void checkNetOption(String key, String value) {
    if (!NET_OPTION_KEY.matcher(key).matches()) {
      throw invalid("--net-opt key '" + key + "' is not valid; use letters, digits, '.', '_' and '-' (key=value)");
    }
    if (value.length() > 1024 || value.chars().anyMatch(Character::isISOControl)) {
      throw invalid("--net-opt " + key + " has a value with control characters or over 1024 characters; give one"
          + " plain line");
    }
  }

  /** This spec with another network plugin: its default network, unless it is the same plugin. */
  public VmSpec withNetworkPlugin(String pluginId) {
    return new VmSpec(name, boot, cpus, memoryMib, mac, staticIps, ports, pluginId, netOptions,
        pluginId.equals(networkPlugin) ? network : "");
  }

  /** This spec with other ports. */
  public VmSpec withPorts(List<PortMapping> newPorts) {
    return new VmSpec(name, boot, cpus, memoryMib, mac, staticIps, newPorts, networkPlugin, netOptions, network);
  }

  /** Throws unless the name is a valid VM name. */
  public static void checkName(String name) {
    if (name == null || name.isEmpty()) {
      throw invalid("VM name is empty; use lower-case letters, digits and dashes");
    }
    if (name.length() > 63) {
      throw invalid("VM name '" + name.substring(0, 20) + "...' has " + name.length()
          + " characters; use at most 63");
    }
    if (!NAME.matcher(name).matches()) {
      throw invalid("VM name '" + name + "' is not valid; use lower-case letters, digits and dashes,"
          + " starting and ending with a letter or digit (e.g. web-1)");
    }
  }

  private static void checkPortsDistinct(List<PortMapping> ports) {
    for (int i = 0; i < ports.size(); i++) {
      for (int j = i + 1; j < ports.size(); j++) {
        if (ports.get(i).clashesWith(ports.get(j))) {
          throw invalid("port mappings " + ports.get(i) + " and " + ports.get(j)
              + " claim the same host port; give each mapping its own host port");
        }
      }
    }
  }

  private static IgnisException invalid(String message) {
    return new IgnisException(ErrorCode.INVALID_ARGUMENT, message);
  }
}
