package dev.ignis.plugin.flannel;

import dev.ignis.spi.Command;
import dev.ignis.spi.CommandRunner;
import dev.ignis.spi.ErrorCode;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * flanneld's vxlan backend: device {@code flannel.<VNI>} on UDP 8472 bound to the node's
 * public IP, addressed with the subnet's network address as /32, MTU of the underlay − 50;
 * per other node a route to its subnet via its network address (onlink), a permanent
 * neighbour entry for that address with the node's VTEP MAC, and an fdb entry sending that MAC
 * to the node's public IP.
 */
final class VxlanDataPlane implements DataPlane {

  private final FlannelConfig config;
  private final NodeState node;
  private final CommandRunner commands;
  private final String device;

  VxlanDataPlane(FlannelConfig config, NodeState node, CommandRunner commands) {
    this.config = config;
    this.node = node;
    this.commands = commands;
    this.device = "flannel." + config.backend().vniOrDefault();
  }

  @Override
  public Map<String, Object> setUp() {
    if (!commands.run(Command.of("ip", "link", "show", "dev", device)).succeeded()) {
      run("ip", "link", "add", device, "type", "vxlan", "id", String.valueOf(config.backend().vniOrDefault()),
          "local", node.publicIp(), "dev", node.iface(), "dstport", String.valueOf(config.backend().portOrDefault()),
          "nolearning");
    }
    run("ip", "link", "set", device, "mtu", String.valueOf(mtu()), "up");
    Ipv4Net subnet = Ipv4Net.parse(node.subnet());
    run("ip", "addr", "replace", Ipv4Net.dotted(subnet.address()) + "/32", "dev", device);
    return Map.of("VNI", config.backend().vniOrDefault(), "VtepMAC", mac());
  }

  @Override
  public int mtu() {
    return DataPlane.mtuOf(node.iface(), commands) - 50;
  }

  @Override
  public void reconcile(Map<Ipv4Net, SubnetLease.Attrs> others) {
    Set<String> wanted = new HashSet<>();
    Set<String> wantedMacs = new HashSet<>();
    Set<String> wantedNeighbours = new HashSet<>();
    for (Map.Entry<Ipv4Net, SubnetLease.Attrs> lease : others.entrySet()) {
      SubnetLease.Attrs attrs = lease.getValue();
      if (!"vxlan".equals(attrs.backendType()) || attrs.vtepMac().isEmpty()) {
        continue;
      }
      wantedMacs.add(attrs.vtepMac().toLowerCase(Locale.ROOT));
      wantedNeighbours.add(Ipv4Net.dotted(lease.getKey().address()));
      String gateway = Ipv4Net.dotted(lease.getKey().address());
      run("ip", "neigh", "replace", gateway, "lladdr", attrs.vtepMac(), "dev", device, "nud", "permanent");
      run("bridge", "fdb", "replace", attrs.vtepMac(), "dev", device, "dst", attrs.publicIp(), "self", "permanent");
      run("ip", "route", "replace", lease.getKey().toString(), "via", gateway, "dev", device, "onlink",
          "proto", String.valueOf(ROUTE_PROTO));
      wanted.add(lease.getKey().toString());
    }
    for (String route : DataPlane.ourRoutes(commands, "dev", device)) {
      if (!wanted.contains(route)) {
        String gateway = route.substring(0, route.indexOf('/'));
        commands.run(Command.of("ip", "route", "del", route, "dev", device));
        commands.run(Command.of("ip", "neigh", "del", gateway, "dev", device));
      }
    }
    removeUnbacked(wantedMacs, wantedNeighbours);
  }

  /**
   * Forwarding and neighbour entries on our device that no lease backs any more (a node that
   * left, or changed its VTEP MAC): the device is ours, so everything on it is too.
   */
  private void removeUnbacked(Set<String> wantedMacs, Set<String> wantedNeighbours) {
    // "aa:bb:cc:dd:ee:ff dst 192.168.1.2 self permanent"
    for (String line : commands.run(Command.of("bridge", "fdb", "show", "dev", device)).stdout().lines().toList()) {
      String[] words = line.trim().split("\\s+");
      if (words.length >= 3 && words[1].equals("dst") && !wantedMacs.contains(words[0].toLowerCase(Locale.ROOT))) {
        commands.run(Command.of("bridge", "fdb", "del", words[0], "dev", device, "dst", words[2], "self"));
      }
    }
    // "10.50.2.0 lladdr aa:bb:cc:dd:ee:ff PERMANENT"
    for (String line : commands.run(Command.of("ip", "neigh", "show", "dev", device)).stdout().lines().toList()) {
      String address = line.trim().split("\\s+")[0];
      if (!address.isEmpty() && !wantedNeighbours.contains(address)) {
        commands.run(Command.of("ip", "neigh", "del", address, "dev", device));
      }
    }
  }

  private String mac() {
    String out = commands.run(Command.of("ip", "-o", "link", "show", "dev", device)).orThrow(ErrorCode.IO_FAILURE)
        .stdout();
    Matcher matcher = Pattern.compile("link/ether ([0-9a-f:]{17})").matcher(out);
    if (!matcher.find()) {
      throw new dev.ignis.spi.IgnisException(ErrorCode.IO_FAILURE, device + " has no MAC address: " + out.strip());
    }
    return matcher.group(1);
  }

  private void run(String... argv) {
    commands.run(Command.of(argv)).orThrow(ErrorCode.IO_FAILURE);
  }
}
