package dev.ignis.plugin.flannel;

import dev.ignis.spi.Command;
import dev.ignis.spi.CommandRunner;
import dev.ignis.spi.ErrorCode;
import java.util.Map;
import java.util.function.Consumer;

/**
 * flanneld's udp backend (the one Ignite's script used): a TUN device {@code flannel0}
 * addressed with the subnet's network address and the whole network's prefix, so the kernel
 * routes every flannel address not on this node into it; the node agent carries those packets
 * in UDP datagrams to the owning node's public IP, port 8285 ({@link UdpForwarder}), and writes
 * what arrives back into the device. MTU of the underlay − 28. The agent must run for traffic
 * to flow; closing the plane stops its forwarding (the device stays).
 */
final class UdpDataPlane implements DataPlane {

  static final String DEVICE = "flannel0";

  private final FlannelConfig config;
  private final NodeState node;
  private final CommandRunner commands;
  private final Consumer<String> log;
  private UdpForwarder forwarder;

  UdpDataPlane(FlannelConfig config, NodeState node, CommandRunner commands, Consumer<String> log) {
    this.config = config;
    this.node = node;
    this.commands = commands;
    this.log = log;
  }

  @Override
  public Map<String, Object> setUp() {
    if (!commands.run(Command.of("ip", "link", "show", "dev", DEVICE)).succeeded()) {
      run("ip", "tuntap", "add", "dev", DEVICE, "mode", "tun");
    }
    Ipv4Net subnet = Ipv4Net.parse(node.subnet());
    run("ip", "addr", "replace", Ipv4Net.dotted(subnet.address()) + "/" + config.net().prefix(), "dev", DEVICE);
    run("ip", "link", "set", DEVICE, "mtu", String.valueOf(mtu()), "up");
    return Map.of();
  }

  @Override
  public int mtu() {
    return DataPlane.mtuOf(node.iface(), commands) - 28;
  }

  /** Starts the forwarder on first use (only the agent reconciles) and gives it the current leases. */
  @Override
  public synchronized void reconcile(Map<Ipv4Net, SubnetLease.Attrs> others) {
    if (forwarder == null) {
      forwarder = UdpForwarder.start(DEVICE, node.publicIp(), config.backend().portOrDefault(), log);
    }
    forwarder.route(others);
  }

  @Override
  public synchronized void close() {
    if (forwarder != null) {
      forwarder.close();
      forwarder = null;
    }
  }

  private void run(String... argv) {
    commands.run(Command.of(argv)).orThrow(ErrorCode.IO_FAILURE);
  }
}
