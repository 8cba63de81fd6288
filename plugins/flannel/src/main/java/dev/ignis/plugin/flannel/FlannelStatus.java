package dev.ignis.plugin.flannel;

import dev.ignis.spi.Finding;
import dev.ignis.spi.IgnisException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@code bootstrap status}: this node, etcd's health, the network config, every lease, the agent. */
final class FlannelStatus {

  /** How long status waits for etcd. */
  static final Duration STATUS_TIMEOUT = Duration.ofMillis(1500);
  /** An agent synchronises every 5 s; one silent for longer than this is stuck. */
  private static final Duration STALE_SYNC = Duration.ofSeconds(20);

  private final FlannelSettings settings;
  private final Path stateDir;
  private final Agent agent;
  private final List<Finding> findings;

  FlannelStatus(FlannelSettings settings, Path stateDir, Agent agent, List<Finding> findings) {
    this.settings = settings;
    this.stateDir = stateDir;
    this.agent = agent;
    this.findings = findings;
  }

  void report() {
    NodeState node = NodeState.load(stateDir).orElse(null);
    if (node == null) {
      findings.add(Finding.problem("node", "not in a flannel network; run 'bootstrap init' on the first node or"
          + " 'bootstrap join NODE1' here"));
      return;
    }
    if (node.externalAgent()) {
      ExternalAgentNode.report(node, findings);
      return;
    }
    findings.add(Finding.ok("node", node.publicIp() + " on " + node.iface() + ", subnet " + node.subnet() + ", backend "
        + node.backend() + (node.runsEtcd() ? ", runs etcd" : "")));
    SubnetMove.load(stateDir).ifPresent(move -> {
      java.util.List<String> stale = move.staleVms(node);
      findings.add(stale.isEmpty() ? Finding.ok("subnet", move.describe(stale))
          : Finding.problem("subnet", move.describe(stale)));
    });
    // A status answers quickly also with etcd down: a healthy etcd answers a read in milliseconds.
    Duration budget = settings.timeout().compareTo(STATUS_TIMEOUT) < 0 ? settings.timeout() : STATUS_TIMEOUT;
    try (EtcdStore etcd = connect(node, budget)) {
      findings.add(Finding.ok("etcd", "healthy at " + etcd.endpoints() + (node.tls() ? " (TLS)" : " (plain HTTP)")));
      etcd.config().ifPresent(config -> findings.add(Finding.ok("network config", config.json())));
      Map<Ipv4Net, SubnetLease.Attrs> leases = etcd.leases(warning -> findings.add(Finding.ok("lease skipped", warning)));
      for (Map.Entry<Ipv4Net, SubnetLease.Attrs> lease : leases.entrySet()) {
        SubnetLease.Attrs attrs = lease.getValue();
        boolean mine = lease.getKey().toString().equals(node.subnet());
        findings.add(Finding.ok("lease " + lease.getKey(), "node " + attrs.publicIp() + ", " + attrs.backendType()
            + (attrs.vtepMac().isEmpty() ? "" : ", VTEP " + attrs.vtepMac()) + (mine ? " (this node)" : "")));
      }
      if (!leases.containsKey(Ipv4Net.parse(node.subnet()))) {
        findings.add(Finding.problem("lease " + node.subnet(), "this node's lease is missing in etcd; is the agent running?"));
      }
    } catch (IgnisException e) {
      findings.add(Finding.problem("etcd", e.getMessage()));
    }
    findings.add(agent.running().map(this::agentFinding).orElseGet(() -> Finding.problem("agent", "not running"
        + (Files.exists(stateDir.resolve(Agent.STOPPED)) ? " (stopped by 'bootstrap stop')" : "") + "; last log lines: "
        + new AgentProcess(stateDir).lastLogLines() + " (run 'bootstrap start')")));
  }

  /** etcd, after a plain connect that tells a refused or silent port at once (the client would retry until its timeout). */
  private EtcdStore connect(NodeState node, Duration budget) {
    EtcdProbe.check(node.endpoints(), node.etcdTls(stateDir), (int) budget.toMillis() / 2);
    return EtcdStore.connect(node.endpoints(), node.etcdTls(stateDir), budget);
  }

  /** A running agent is fine only if it synchronised with etcd lately (it does every few seconds). */
  private Finding agentFinding(String where) {
    Optional<Instant> last = agent.lastSync();
    if (last.isEmpty()) {
      return Finding.problem("agent", "running, " + where + ", but not synchronised with etcd yet");
    }
    long age = Math.max(0, Duration.between(last.get(), Instant.now()).toSeconds());
    String text = "running, " + where + ", last synchronised with etcd " + age + " s ago (" + last.get() + ")";
    return age <= STALE_SYNC.toSeconds() ? Finding.ok("agent", text)
        : Finding.problem("agent", text + "; it cannot reach etcd, see its log " + agent.log());
  }
}
