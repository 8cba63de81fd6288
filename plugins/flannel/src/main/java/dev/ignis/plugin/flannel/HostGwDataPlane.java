package dev.ignis.plugin.flannel;

import dev.ignis.spi.Command;
import dev.ignis.spi.CommandRunner;
import dev.ignis.spi.ErrorCode;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * flanneld's host-gw backend: a plain route to every other node's subnet via that node's
 * public IP; the nodes must share one layer-2 segment. No encapsulation, full MTU.
 */
final class HostGwDataPlane implements DataPlane {

  private final NodeState node;
  private final CommandRunner commands;

  HostGwDataPlane(FlannelConfig config, NodeState node, CommandRunner commands) {
    this.node = node;
    this.commands = commands;
  }

  @Override
  public Map<String, Object> setUp() {
    return Map.of();
  }

  @Override
  public int mtu() {
    return DataPlane.mtuOf(node.iface(), commands);
  }

  @Override
  public void reconcile(Map<Ipv4Net, SubnetLease.Attrs> others) {
    Set<String> wanted = new HashSet<>();
    for (Map.Entry<Ipv4Net, SubnetLease.Attrs> lease : others.entrySet()) {
      if (!"host-gw".equals(lease.getValue().backendType())) {
        continue;
      }
      commands.run(Command.of("ip", "route", "replace", lease.getKey().toString(), "via", lease.getValue().publicIp(),
          "dev", node.iface(), "proto", String.valueOf(ROUTE_PROTO))).orThrow(ErrorCode.IO_FAILURE);
      wanted.add(lease.getKey().toString());
    }
    for (String route : DataPlane.ourRoutes(commands, "dev", node.iface())) {
      if (!wanted.contains(route)) {
        commands.run(Command.of("ip", "route", "del", route, "dev", node.iface()));
      }
    }
  }
}
