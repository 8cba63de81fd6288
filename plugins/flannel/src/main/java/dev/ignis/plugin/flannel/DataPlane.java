package dev.ignis.plugin.flannel;

import dev.ignis.spi.Command;
import dev.ignis.spi.CommandResult;
import dev.ignis.spi.CommandRunner;
import dev.ignis.spi.ErrorCode;
import java.util.List;
import java.util.Map;

/**
 * How packets reach other nodes' subnets: one implementation per flannel backend. Routes it
 * adds carry the route protocol {@link #ROUTE_PROTO}; with the backend's device (named in the
 * node state) that is all cleanup needs to remove, even when etcd is gone.
 */
interface DataPlane {

  /** Route protocol of Ignis' flannel routes ({@code ip route ... proto 73}). */
  int ROUTE_PROTO = 73;

  /** Brings up this node's side; returns the backend data other nodes need (flanneld's BackendData). */
  Map<String, Object> setUp();

  /** The MTU VMs on this node should use. */
  int mtu();

  /** Makes the routes (and neighbours) match the other nodes' leases. */
  void reconcile(Map<Ipv4Net, SubnetLease.Attrs> others);

  /** Stops what the plane runs in this process (the udp backend's forwarding); devices and routes stay. */
  default void close() {}

  /** The plane of a backend; {@code log} takes what it has to say while it runs (the agent's log). */
  static DataPlane of(String backend, FlannelConfig config, NodeState node, CommandRunner commands,
      java.util.function.Consumer<String> log) {
    return switch (backend) {
      case "vxlan" -> new VxlanDataPlane(config, node, commands);
      case "host-gw" -> new HostGwDataPlane(config, node, commands);
      case "udp" -> new UdpDataPlane(config, node, commands, log);
      default -> throw new dev.ignis.spi.IgnisException(ErrorCode.INVALID_ARGUMENT, "backend '" + backend
          + "' is not one of vxlan, host-gw, udp");
    };
  }

  /** The MTU of an interface, 1500 if it cannot be read. */
  static int mtuOf(String iface, CommandRunner commands) {
    CommandResult result = commands.run(Command.of("ip", "-o", "link", "show", "dev", iface));
    java.util.regex.Matcher m = java.util.regex.Pattern.compile(" mtu (\\d+)").matcher(result.stdout());
    return result.succeeded() && m.find() ? Integer.parseInt(m.group(1)) : 1500;
  }

  /** The subnets this node routes through {@code dev} with its own protocol. */
  static List<String> ourRoutes(CommandRunner commands, String... selector) {
    List<String> argv = new java.util.ArrayList<>(List.of("ip", "-4", "route", "show", "proto",
        String.valueOf(ROUTE_PROTO)));
    argv.addAll(List.of(selector));
    return commands.run(Command.of(argv)).stdout().lines().map(l -> l.strip().split("\\s+")[0])
        .filter(s -> s.contains("/")).toList();
  }
}
