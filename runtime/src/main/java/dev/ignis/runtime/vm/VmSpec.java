package dev.ignis.runtime.vm;

import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import dev.ignis.spi.PortMapping;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What the user asked for when creating a VM; fixed for the VM's life except the network
 * plugin of a one-network VM (which {@code start --network-plugin} may change) and ports.
 *
 * @param name unique, lower-case letters, digits and dashes, at most 63 characters
 * @param boot kernel, initrd, extra kernel arguments and accelerator
 * @param cpus virtual CPUs, 1 to 32
 * @param memoryMib memory in MiB, 64 to 65536
 * @param networks the VM's networks, one guest network card each, in order ({@code eth0},
 *     {@code eth1}, ... inside the guest); at least one, at most {@value #MAX_NETWORKS}.
 *     Records written before VMs had several read as one network
 * @param dns the nameservers the guest uses ({@code --dns}), at most {@value #MAX_DNS}; empty for
 *     its networks' own, else the host's ({@link GuestDns})
 * @param ssh who may log in as root over SSH ({@code --ssh}): empty for nobody, {@value
 *     #GENERATED_KEY} for a key pair the runtime makes for the VM, else an OpenSSH public key
 * @param labels the user's own KEY=VALUE notes on the VM ({@code --label}), at most {@value
 *     #MAX_LABELS}; keys as Docker's and Kubernetes' ({@code app}, {@code example.com/tier}),
 *     values printable text; sorted by key
 */
public record VmSpec(
    String name,
    BootSpec boot,
    int cpus,
    int memoryMib,
    List<NetworkSpec> networks,
    List<String> dns,
    String ssh,
    Map<String, String> labels) {

  /** {@link #ssh} for a key pair of the VM's own, kept in its directory. */
  public static final String GENERATED_KEY = "generated";

  /** The most network cards a VM gets (QEMU's microvm has 24 virtio-mmio slots; more is no use). */
  public static final int MAX_NETWORKS = 8;
  /** The most nameservers a guest uses: as many as a resolv.conf holds (glibc's MAXNS). */
  public static final int MAX_DNS = 3;

  /** The most labels a VM carries. */
  public static final int MAX_LABELS = 64;

  private static final Pattern LABEL_KEY = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9._/-]{0,251}[A-Za-z0-9])?");

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
    networks = networks == null ? List.of() : List.copyOf(networks);
    if (networks.isEmpty() || networks.size() > MAX_NETWORKS) {
      throw invalid("a VM has 1 to " + MAX_NETWORKS + " networks, not " + networks.size()
          + "; give --network once per network card");
    }
    checkNetworksDistinct(networks);
    checkPortsDistinct(networks.stream().flatMap(n -> n.ports().stream()).toList());
    dns = checkedDns(dns);
    ssh = ssh == null ? "" : ssh.strip();
    if (!ssh.isEmpty() && !ssh.equals(GENERATED_KEY) && !ssh.matches("(ssh-|ecdsa-|sk-)[A-Za-z0-9@.-]+ [A-Za-z0-9+/=]+( .*)?")) {
      throw invalid("--ssh holds no OpenSSH public key (such as 'ssh-ed25519 AAAA... you@host'); give a .pub file, or"
          + " --ssh alone for a key pair of the VM's own");
    }
    if (!ssh.isEmpty() && boot.image().isEmpty()) {
      throw invalid("--ssh needs an IMAGE with an SSH server; the default image has none");
    }
    labels = checkedLabels(labels);
  }

  private static Map<String, String> checkedLabels(Map<String, String> labels) {
    if (labels == null || labels.isEmpty()) {
      return Map.of();
    }
    if (labels.size() > MAX_LABELS) {
      throw invalid(labels.size() + " labels are too many; a VM has at most " + MAX_LABELS);
    }
    for (var label : labels.entrySet()) {
      if (label.getKey() == null || !LABEL_KEY.matcher(label.getKey()).matches()) {
        throw invalid("--label key '" + label.getKey() + "' is not valid; use letters, digits, '.', '_', '-' and '/',"
            + " starting and ending with a letter or digit, at most 253 characters (app, example.com/tier)");
      }
      String value = label.getValue() == null ? "" : label.getValue();
      if (value.length() > 256 || value.chars().anyMatch(Character::isISOControl)) {
        throw invalid("--label " + label.getKey() + "'s value is not valid; use at most 256 characters, without"
            + " control characters");
      }
    }
    return java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(labels));
  }

  /** A spec without labels. */
  public VmSpec(String name, BootSpec boot, int cpus, int memoryMib, List<NetworkSpec> networks, List<String> dns,
      String ssh) {
    this(name, boot, cpus, memoryMib, networks, dns, ssh, Map.of());
  }

  /** A spec whose guest takes its networks' nameservers, else the host's. */
  public VmSpec(String name, BootSpec boot, int cpus, int memoryMib, List<NetworkSpec> networks) {
    this(name, boot, cpus, memoryMib, networks, List.of(), "");
  }

  /** A spec without SSH access. */
  public VmSpec(String name, BootSpec boot, int cpus, int memoryMib, List<NetworkSpec> networks, List<String> dns) {
    this(name, boot, cpus, memoryMib, networks, dns, "");
  }

  /** A spec of one network on the plugin's default network. */
  public VmSpec(String name, BootSpec boot, int cpus, int memoryMib, String mac, List<String> staticIps,
      List<PortMapping> ports, String networkPlugin) {
    this(name, boot, cpus, memoryMib, List.of(new NetworkSpec(networkPlugin, "", mac, staticIps, ports, Map.of())));
  }

  /**
   * Reads a record: today's, or one written before VMs had several networks, whose one network
   * lies in the fields {@code mac}, {@code staticIps}, {@code ports}, {@code networkPlugin},
   * {@code netOptions} and {@code network}.
   */
  @com.fasterxml.jackson.annotation.JsonCreator
  static VmSpec fromJson(
      @com.fasterxml.jackson.annotation.JsonProperty("name") String name,
      @com.fasterxml.jackson.annotation.JsonProperty("boot") BootSpec boot,
      @com.fasterxml.jackson.annotation.JsonProperty("cpus") int cpus,
      @com.fasterxml.jackson.annotation.JsonProperty("memoryMib") int memoryMib,
      @com.fasterxml.jackson.annotation.JsonProperty("networks") List<NetworkSpec> networks,
      @com.fasterxml.jackson.annotation.JsonProperty("mac") String mac,
      @com.fasterxml.jackson.annotation.JsonProperty("staticIps") List<String> staticIps,
      @com.fasterxml.jackson.annotation.JsonProperty("ports") List<PortMapping> ports,
      @com.fasterxml.jackson.annotation.JsonProperty("networkPlugin") String networkPlugin,
      @com.fasterxml.jackson.annotation.JsonProperty("netOptions") Map<String, String> netOptions,
      @com.fasterxml.jackson.annotation.JsonProperty("network") String network,
      @com.fasterxml.jackson.annotation.JsonProperty("dns") List<String> dns,
      @com.fasterxml.jackson.annotation.JsonProperty("ssh") String ssh,
      @com.fasterxml.jackson.annotation.JsonProperty("labels") Map<String, String> labels) {
    if (networks == null && networkPlugin != null) {
      networks = List.of(new NetworkSpec(networkPlugin, network, mac, staticIps, ports, netOptions));
    }
    return new VmSpec(name, boot, cpus, memoryMib, networks, dns, ssh, labels);
  }

  /**
   * The name of the {@code index}th network's interface: in the sandbox, as the runtime asks
   * its plugin for it, and inside the guest ({@code eth0}, {@code eth1}, ...).
   */
  public static String interfaceName(int index) {
    return index == 0 ? dev.ignis.spi.AttachRequest.FIRST_INTERFACE : "eth" + index;
  }

  /** The first network: the one {@code --network-plugin} names and ports are published from by default. */
  public NetworkSpec first() {
    return networks.get(0);
  }

  /** Every host port mapping of the VM, over all its networks. */
  public List<PortMapping> ports() {
    return networks.stream().flatMap(n -> n.ports().stream()).toList();
  }

  /** This spec with other networks. */
  public VmSpec withNetworks(List<NetworkSpec> newNetworks) {
    return new VmSpec(name, boot, cpus, memoryMib, newNetworks, dns, ssh, labels);
  }

  /** This spec with other nameservers for the guest (empty: its networks', else the host's). */
  public VmSpec withDns(List<String> servers) {
    return new VmSpec(name, boot, cpus, memoryMib, networks, servers, ssh, labels);
  }

  /**
   * This spec of one network with another plugin: its default network, unless it is the same
   * plugin. A VM of several networks names each plugin with its network, so this is refused.
   */
  public VmSpec withNetworkPlugin(String pluginId) {
    if (networks.size() > 1) {
      throw new IgnisException(ErrorCode.INVALID_ARGUMENT, "VM '" + name + "' has " + networks.size()
          + " networks; --network-plugin changes the plugin of a VM with one network only");
    }
    return withNetworks(List.of(first().withPlugin(pluginId)));
  }

  /** Throws unless no two networks are the same network of the same plugin, or share a MAC. */
  private static void checkNetworksDistinct(List<NetworkSpec> networks) {
    for (int i = 0; i < networks.size(); i++) {
      for (int j = i + 1; j < networks.size(); j++) {
        NetworkSpec a = networks.get(i);
        NetworkSpec b = networks.get(j);
        if (a.plugin().equals(b.plugin()) && a.network().equals(b.network())) {
          throw invalid("--network " + a.label() + " is given twice; a VM joins each network once (name another"
              + " network with PLUGIN:NETWORK)");
        }
        if (a.mac().equals(b.mac())) {
          throw invalid("networks " + a.label() + " and " + b.label() + " both have MAC " + a.mac()
              + "; give each network card its own");
        }
      }
    }
  }

  private static List<String> checkedDns(List<String> dns) {
    List<String> servers = dns == null ? List.of() : List.copyOf(dns);
    for (String server : servers) {
      if (!dev.ignis.spi.IpConfig.isIpLiteral(server) || server.contains("%")) {
        throw invalid("--dns '" + server + "' is not an IP address; give a nameserver's address, such as 10.61.0.1 or"
            + " fd00::1");
      }
    }
    if (servers.size() > MAX_DNS) {
      throw invalid(servers.size() + " --dns servers given; a guest uses at most " + MAX_DNS + " (as resolv.conf does)");
    }
    if (servers.stream().map(VmSpec::address).distinct().count() < servers.size()) {
      throw invalid("--dns " + servers + " names one server twice; give each once");
    }
    return servers;
  }

  /** An IP literal as an address (no name lookup: it is a literal), so that two spellings of one compare equal. */
  static java.net.InetAddress address(String literal) {
    try {
      return java.net.InetAddress.getByName(literal);
    } catch (java.net.UnknownHostException e) {
      throw invalid("'" + literal + "' is not an IP address");
    }
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
