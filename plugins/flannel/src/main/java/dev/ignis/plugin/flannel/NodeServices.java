package dev.ignis.plugin.flannel;

import dev.ignis.spi.CommandRunner;
import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.Finding;
import dev.ignis.spi.IgnisException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * {@code bootstrap start|stop}: this node's etcd (first node) and {@link Agent}. {@code stop} takes the
 * node out of the network as flanneld's lease rules expect: it revokes the node's lease, so the
 * other nodes drop their routes to it, unless {@code --keep-lease} (a short maintenance such as
 * an upgrade: traffic keeps flowing). {@code start} claims the same subnet again while it is
 * free, else the agent leases another and says so.
 */
final class NodeServices {

  private final FlannelSettings settings;
  private final Path stateDir;
  private final CommandRunner commands;
  private final Agent agent;
  private final List<Finding> findings;

  NodeServices(FlannelSettings settings, Path stateDir, CommandRunner commands, Agent agent, List<Finding> findings) {
    this.settings = settings;
    this.stateDir = stateDir;
    this.commands = commands;
    this.agent = agent;
    this.findings = findings;
  }

  /** Starts this node's etcd (first node) and agent again, e.g. after a reboot; what runs is left alone. */
  void start() {
    NodeState node = member();
    if (node.externalAgent()) {
      String moved = new ExternalAgentNode(settings, stateDir, commands).follow(node)
          .map(move -> "; " + move.describe(move.staleVms(node))).orElse("");
      findings.add(Finding.ok("agent", "external (flanneld): the node network follows " + node.subnetFile() + moved));
      return;
    }
    if (node.runsEtcd()) {
      EtcdServer server = new EtcdServer(stateDir);
      boolean wasRunning = server.running();
      server.start(node.publicIp(), node.tls() ? new EtcdCertificates(stateDir.resolve("tls"), commands) : null);
      connectWithRetry(node, Duration.ofSeconds(20)).close();
      findings.add(Finding.ok("etcd", (wasRunning ? "was running" : "started") + " on " + node.endpoints().get(0)));
    }
    findings.add(Finding.ok("agent", agent.start()));
  }

  /** Stops the agent, releases the lease unless kept, then stops etcd; data plane and files stay. */
  void stop(boolean keepLease) {
    NodeState node = member();
    if (node.externalAgent()) {
      findings.add(Finding.ok("agent", "external (flanneld): nothing of Ignis runs on this node; stop flanneld itself"));
      return;
    }
    agent.stop(true);
    findings.add(Finding.ok("agent", "stopped (until 'bootstrap start')"));
    if (keepLease) {
      findings.add(Finding.ok("lease", node.subnet() + " kept (other nodes keep routing to this node; it expires"
          + " within " + node.leaseTtl().toSeconds() + " s unless 'bootstrap start' renews it)"));
    } else {
      findings.add(release(node, stateDir));
    }
    if (node.runsEtcd()) {
      new EtcdServer(stateDir).stop();
      findings.add(Finding.ok("etcd", "stopped"));
    }
  }

  /** Gives this node's subnet back in etcd (revoking its etcd lease); etcd unreachable leaves it to its TTL. */
  static Finding release(NodeState node, Path stateDir) {
    try (EtcdStore etcd = EtcdStore.connect(node.endpoints(), node.etcdTls(stateDir), Duration.ofSeconds(3))) {
      Ipv4Net subnet = Ipv4Net.parse(node.subnet());
      return Finding.ok("lease", OwnLease.release(etcd, subnet, node.publicIp()) ? "released " + subnet
          + " (its etcd lease revoked)" : subnet + " is not this node's in etcd any more; left alone");
    } catch (IgnisException e) {
      return Finding.ok("lease", "not released (" + e.getMessage() + "); it expires within "
          + node.leaseTtl().toSeconds() + " s");
    }
  }

  NodeState member() {
    return NodeState.load(stateDir).filter(n -> n.subnet() != null).orElseThrow(() -> new IgnisException(
        ErrorCode.INVALID_STATE, "this node is not in a flannel network; run 'bootstrap init' on the first node or"
        + " 'bootstrap join NODE1' here"));
  }

  /** Connects to the node's etcd, retrying for {@code patience} (etcd just started). */
  EtcdStore connectWithRetry(NodeState node, Duration patience) {
    long deadline = System.nanoTime() + patience.toNanos();
    while (true) {
      try {
        return EtcdStore.connect(node.endpoints(), node.etcdTls(stateDir), settings.timeout());
      } catch (IgnisException e) {
        if (System.nanoTime() > deadline) {
          String log = node.runsEtcd() ? " (etcd log: " + new EtcdServer(stateDir).lastLogLines() + ")" : "";
          throw new IgnisException(e.code(), e.getMessage() + log, e);
        }
        try {
          Thread.sleep(250);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
  }
}
