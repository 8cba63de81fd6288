package dev.ignis.plugin.flannel;

import dev.ignis.spi.CommandRunner;
import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.Finding;
import dev.ignis.spi.IgnisException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A node whose lease and data plane belong to a flanneld running on the host ({@code bootstrap
 * join --agent external}), as with Kubernetes' flannel CNI plugin: Ignis runs no etcd client and
 * no agent, and takes the node's subnet, MTU and masquerade choice from the {@code subnet.env}
 * flanneld writes. Each attach reads it again, so a node flanneld moved to another subnet gets
 * its CNI network re-pointed (and {@code status} names the VMs still on the old subnet).
 */
final class ExternalAgentNode {

  private final FlannelSettings settings;
  private final Path stateDir;
  private final CommandRunner commands;

  ExternalAgentNode(FlannelSettings settings, Path stateDir, CommandRunner commands) {
    this.settings = settings;
    this.stateDir = stateDir;
    this.commands = commands;
  }

  /** Records the node, then writes its CNI network and forward rules from flanneld's subnet.env. */
  void join(List<Finding> findings) {
    SubnetEnv env = SubnetEnv.read(settings.subnetFile()); // validated before the host changes
    new NodeAddresses(commands).checkNoOverlap(env.network(), settings.bridge());
    NodeState node = new NodeState(List.of(), false, false, null, null, env.subnet().toString(),
        settings.subnetFile().toString(), settings.conflist().toString(), settings.bridge(), "external", null,
        settings.ipamDir().orElse(null), true, null);
    node.save(stateDir);
    apply(env);
    findings.add(Finding.ok("subnet", env.subnet() + " of " + env.network() + ", from " + settings.subnetFile()
        + " (written by flanneld; no agent of Ignis runs on this node)"));
    findings.add(Finding.ok("node network", settings.conflist() + " (bridge " + settings.bridge() + ", MTU " + env.mtu()
        + ", " + (env.ipMasq() ? "flanneld masquerades" : "the bridge masquerades") + "); iptables chain "
        + FlannelIptables.FORWARD_CHAIN));
  }

  /** Re-points the node network if flanneld now holds another subnet; returns the move, if any. */
  java.util.Optional<SubnetMove> follow(NodeState node) {
    SubnetEnv env = SubnetEnv.read(Path.of(node.subnetFile()));
    Ipv4Net recorded = Ipv4Net.parse(node.subnet());
    if (env.subnet().equals(recorded) && new NodeNetworkFiles(settings).conflistSubnet().equals(
        java.util.Optional.of(recorded))) {
      return java.util.Optional.empty();
    }
    node.withSubnet(env.subnet()).save(stateDir);
    apply(env);
    if (env.subnet().equals(recorded)) {
      return java.util.Optional.empty(); // the conflist was missing or stale: written again
    }
    SubnetMove move = new SubnetMove(recorded, env.subnet(), Instant.now());
    try {
      move.save(stateDir);
    } catch (IOException e) {
      throw new IgnisException(ErrorCode.IO_FAILURE, "cannot write " + stateDir.resolve(SubnetMove.FILE) + ": "
          + e.getMessage(), e);
    }
    return java.util.Optional.of(move);
  }

  /** {@code status} of such a node: flanneld's subnet.env, how old it is, and a move not yet followed. */
  static void report(NodeState node, List<Finding> findings) {
    Path file = Path.of(node.subnetFile());
    findings.add(Finding.ok("node", "subnet " + node.subnet() + ", lease and data plane by the host's flanneld"));
    try {
      SubnetEnv env = SubnetEnv.read(file);
      long age = Duration.between(Files.getLastModifiedTime(file).toInstant(), Instant.now()).toSeconds();
      findings.add(env.subnet().toString().equals(node.subnet())
          ? Finding.ok("agent", "external (flanneld); " + file + " written " + age + " s ago, MTU " + env.mtu())
          : Finding.problem("agent", "external (flanneld) holds " + env.subnet() + " now; the next VM start re-points"
              + " the node network ('bootstrap start' does it at once)"));
    } catch (IgnisException | IOException e) {
      findings.add(Finding.problem("agent", "external (flanneld): " + e.getMessage()));
    }
  }

  private void apply(SubnetEnv env) {
    new NodeNetworkFiles(settings).writeConflist(env);
    new FlannelIptables(commands).applyForwarding(env.network().toString());
  }
}
