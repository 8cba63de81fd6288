package dev.ignis.plugin.flannel;

import dev.ignis.spi.Command;
import dev.ignis.spi.CommandRunner;
import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.Finding;
import dev.ignis.spi.IgnisException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * {@code bootstrap cleanup}: undoes init or join without a reboot: stops the agent, releases
 * the lease, removes the backend's device and routes, the node's files and VM bridge, and on the
 * first node stops etcd (its data and TLS material stay unless {@code --purge}). Refused while
 * VMs are attached to the node network. Each step is idempotent.
 */
final class FlannelCleanup {

  private final FlannelSettings settings;
  private final Path stateDir;
  private final CommandRunner commands;
  private final Agent agent;
  private final List<Finding> findings;

  FlannelCleanup(FlannelSettings settings, Path stateDir, CommandRunner commands, Agent agent, List<Finding> findings) {
    this.settings = settings;
    this.stateDir = stateDir;
    this.commands = commands;
    this.agent = agent;
    this.findings = findings;
  }

  void run(boolean purge) {
    NodeState node = NodeState.load(stateDir).orElse(null);
    refuseWhileVmsAttached();
    agent.stop(false);
    findings.add(Finding.ok("agent", "stopped"));
    if (node != null && node.subnet() != null && !node.externalAgent()) {
      findings.add(NodeServices.release(node, stateDir));
    }
    commands.run(Command.of("ip", "route", "flush", "proto", String.valueOf(DataPlane.ROUTE_PROTO)));
    if (node != null && node.device() != null) {
      commands.run(Command.of("ip", "link", "delete", node.device()));
    }
    FlannelIptables iptables = new FlannelIptables(commands);
    iptables.remove();
    iptables.removeUnusedCniChains();
    String bridge = node != null ? node.bridge() : settings.bridge();
    commands.run(Command.of("ip", "link", "delete", bridge));
    findings.add(Finding.ok("data plane", "removed " + (node != null && node.device() != null ? node.device() + ", " : "")
        + "bridge " + bridge + ", flannel routes and iptables chains"));
    boolean external = node != null && node.externalAgent();
    if (!external) {
      delete(node != null ? Path.of(node.subnetFile()) : settings.subnetFile());
    }
    delete(node != null ? Path.of(node.conflist()) : settings.conflist());
    findings.add(Finding.ok("node network", "removed " + (external ? "" : "subnet.env and ") + FlannelSettings.CONFLIST
        + " (the cni plugin's default network applies again)" + (external ? "; flanneld's subnet.env left alone" : "")));
    EtcdServer etcd = new EtcdServer(stateDir);
    if (node != null && node.runsEtcd() || etcd.running()) {
      etcd.stop();
      findings.add(Finding.ok("etcd", "stopped" + (purge ? "" : "; data kept in " + etcd.dataDir() + " (--purge removes it)")));
    }
    if (purge || node != null && !node.runsEtcd()) {
      deleteTree(stateDir.resolve("tls")); // a member's copy of the join bundle; node 1's CA stays unless --purge
    }
    if (purge) {
      deleteTree(etcd.dataDir());
      delete(stateDir.resolve(EtcdCertificates.BUNDLE));
      deleteTree(stateDir.resolve(EtcdCertificates.JOIN_DIR));
      // host-local's leases and last reserved address of the node network: a new network starts afresh.
      Path ipam = Path.of(node != null && node.ipamDir() != null ? node.ipamDir()
          : settings.ipamDir().orElse("/var/lib/cni/networks")).resolve(FlannelSettings.NETWORK_NAME);
      deleteTree(ipam);
      findings.add(Finding.ok("node network IPAM", "removed " + ipam));
    }
    delete(stateDir.resolve(SubnetMove.FILE));
    delete(stateDir.resolve(NodeAgent.HEARTBEAT));
    delete(stateDir.resolve(Agent.STOPPED));
    delete(stateDir.resolve(AgentLock.FILE)); // no agent holds it any more
    NodeState.delete(stateDir);
  }

  /** VMs on the node network hold entries in the CNI result cache; removing the network under them would strand them. */
  private void refuseWhileVmsAttached() {
    Path results = settings.cniCacheDir().resolve("results");
    if (!Files.isDirectory(results)) {
      return;
    }
    try (Stream<Path> files = Files.list(results)) {
      long attached = files.filter(f -> f.getFileName().toString().startsWith(FlannelSettings.NETWORK_NAME + "-")).count();
      if (attached > 0) {
        throw new IgnisException(ErrorCode.INVALID_STATE, attached + " VM network(s) still attached to the flannel node"
            + " network; stop or remove those VMs first ('runtime ps'), then run cleanup again");
      }
    } catch (IOException e) {
      throw new IgnisException(ErrorCode.IO_FAILURE, "cannot read " + results + ": " + e.getMessage(), e);
    }
  }

  private static void delete(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      throw new IgnisException(ErrorCode.IO_FAILURE, "cannot delete " + file + ": " + e.getMessage(), e);
    }
  }

  static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path file : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(file);
      }
    } catch (IOException e) {
      throw new IgnisException(ErrorCode.IO_FAILURE, "cannot delete " + dir + ": " + e.getMessage(), e);
    }
  }
}
