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
 * One network of a VM as the user asked for it ({@code --network PLUGIN[:NETWORK][,ip=IP][,mac=MAC]}):
 * it becomes one network card of the guest, in the order the VM's networks are given.
 *
 * @param plugin the id of the network plugin
 * @param network which of the plugin's networks (for cni a CNI network's name), empty for the
 *     plugin's default
 * @param mac the MAC the card keeps for life
 * @param staticIps addresses the user asked for on it (with a prefix length where they gave one)
 * @param ports the host ports published from this network
 * @param options options for the plugin ({@code --net-opt key=value}), passed to it as they are
 */
public record NetworkSpec(
    String plugin,
    String network,
    String mac,
    List<String> staticIps,
    List<PortMapping> ports,
    Map<String, String> options) {

  private static final Pattern PLUGIN_ID = Pattern.compile("[a-z0-9][a-z0-9._-]*");
  private static final Pattern OPTION_KEY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");

  /** Validates every field with a message naming it and the fix. */
  public NetworkSpec {
    if (plugin == null || !PLUGIN_ID.matcher(plugin).matches()) {
      throw invalid("network plugin id '" + plugin + "' is not valid; see 'runtime plugins'");
    }
    network = network == null ? "" : network;
    checkNetworkName(network);
    mac = new MacAddress(mac).value();
    staticIps = staticIps == null ? List.of() : List.copyOf(staticIps);
    for (String ip : staticIps) {
      if (!IpConfig.isIpOrCidr(ip)) {
        throw invalid("--ip '" + ip + "' is not an IP address; write it as 10.61.0.50 (or 10.61.0.50/24 where the"
            + " network names no range)");
      }
    }
    if (staticIps.stream().distinct().count() < staticIps.size()) {
      throw invalid("--ip " + staticIps + " names an address twice; give each once");
    }
    ports = ports == null ? List.of() : List.copyOf(ports);
    options = options == null ? Map.of() : Map.copyOf(new TreeMap<>(options));
    options.forEach(NetworkSpec::checkOption);
  }

  /** The network on the plugin's default network with a random MAC and nothing else. */
  public static NetworkSpec of(String plugin) {
    return new NetworkSpec(plugin, "", MacAddress.random().value(), List.of(), List.of(), Map.of());
  }

  /** How users name it: {@code PLUGIN} or {@code PLUGIN:NETWORK}. */
  public String label() {
    return network.isEmpty() ? plugin : plugin + ":" + network;
  }

  /**
   * Whether {@code -p NAME/...} or {@code port add VM NAME/...} means this network: its CNI
   * network's name, its label, or its plugin's id.
   */
  public boolean isNamed(String name) {
    return name.equals(network) || name.equals(label()) || name.equals(plugin);
  }

  /** This network with another plugin: its default network, unless it is the same plugin. */
  public NetworkSpec withPlugin(String pluginId) {
    return new NetworkSpec(pluginId, pluginId.equals(plugin) ? network : "", mac, staticIps, ports, options);
  }

  /** This network with other ports. */
  public NetworkSpec withPorts(List<PortMapping> newPorts) {
    return new NetworkSpec(plugin, network, mac, staticIps, newPorts, options);
  }

  /** Throws unless the name can name a network of a plugin (as {@code AttachRequest} takes it). */
  static void checkNetworkName(String network) {
    if (network.length() > 253 || network.chars().anyMatch(c -> c <= ' ' || c == ',' || c == '/' || c == ':')) {
      throw invalid("network name '" + network + "' is not valid; use up to 253 characters without spaces, commas,"
          + " colons or slashes (--network PLUGIN:NETWORK)");
    }
  }

  private static void checkOption(String key, String value) {
    if (!OPTION_KEY.matcher(key).matches()) {
      throw invalid("--net-opt key '" + key + "' is not valid; use letters, digits, '.', '_' and '-' (key=value)");
    }
    if (value.length() > 1024 || value.chars().anyMatch(Character::isISOControl)) {
      throw invalid("--net-opt " + key + " has a value with control characters or over 1024 characters; give one"
          + " plain line");
    }
  }

  private static IgnisException invalid(String message) {
    return new IgnisException(ErrorCode.INVALID_ARGUMENT, message);
  }
}
