package dev.ignis.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The flannel node agent as a job of ignisd: no second JVM on a node whose commands go through
 * ignisd; the agent comes back with the next ignisd after a kill -9 and catches up with what
 * changed meanwhile; an agent process started without ignisd is taken over; a command in a
 * process of its own cannot stop ignisd's agent and says so. The udp backend, whose forwarding
 * runs in the agent, checks that a stopped agent lets go of its device and port.
 */
@Tag("integration")
class FlannelDaemonIT extends FlannelNodesTest {

  @Test
  void agentRunsInIgnisd_comesBackAfterKill9_takesOverAnAgentProcess() throws Exception {
    TestNodes.Node n1 = nodes.add().throughDaemon();
    TestNodes.Node n2 = nodes.add().throughDaemon();

    String init = n1.ok("--network-plugin", "flannel", "bootstrap", "init", "--insecure", "--backend", "udp", "--network",
        network);
    long daemon1 = n1.daemonPid();
    assertThat(daemon1).as("n1's ignisd").isPositive();
    assertThat(init).contains("ok    agent: running, in ignisd, pid " + daemon1 + ", log ");
    n2.ok("--network-plugin", "flannel", "bootstrap", "join", n1.ip, "--insecure");
    assertThat(agentProcesses(n1) + agentProcesses(n2)).as("no agent JVM beside ignisd").isZero();
    assertThat(n1.ok("daemon", "status")).contains("plugin jobs: flannel/agent");

    String aIp = FlannelChecks.ipOf(n1, n1.ok("--network-plugin", "flannel", "run", "--name", "a").strip());
    String bIp = FlannelChecks.ipOf(n2, n2.ok("--network-plugin", "flannel", "run", "--name", "b").strip());
    assertThat(n1.fetch(aIp, "/cgi-bin/ping?" + bIp)).as("udp forwarding in both ignisds").contains("1 packets received");
    String rss = n1.ok("daemon", "status").lines().filter(l -> l.startsWith("memory (RSS)")).findFirst().orElseThrow();
    System.out.println("measured: ignisd with cni, the flannel agent (udp) and a VM: " + rss);

    // A command in a process of its own cannot stop the agent of a running ignisd: one line, nothing changed.
    Ignis.Result outOfReach = n1.inProcess("--network-plugin", "flannel", "bootstrap", "stop");
    assertThat(outOfReach.status()).isEqualTo(102);
    assertThat(outOfReach.err().strip()).isEqualTo("error: the node agent runs in ignisd (pid " + daemon1 + "), which"
        + " this command, run in its own process, cannot stop; run it through ignisd (without IGNIS_DAEMON=off), or stop"
        + " ignisd first ('runtime daemon stop')");
    assertThat(n1.ok("--network-plugin", "flannel", "bootstrap", "status")).contains("ok    agent: running, in ignisd");

    // Stopped and started again inside the same ignisd: the udp backend's device and port were let go of.
    n1.ok("--network-plugin", "flannel", "bootstrap", "stop", "--keep-lease");
    assertThat(n1.ok("daemon", "status")).contains("plugin jobs: none");
    assertThat(n2.fetch(bIp, "/cgi-bin/ping?" + aIp)).as("no udp forwarding on n1 while its agent is stopped")
        .contains("0 packets received");
    assertThat(n1.ok("--network-plugin", "flannel", "bootstrap", "start")).contains("ok    agent: running, in ignisd")
        .doesNotContain("not synchronised");
    assertThat(n2.fetch(bIp, "/cgi-bin/ping?" + aIp)).as("after the agent's restart; n1's agent log: %s",
        agentLog(n1)).contains("1 packets received");

    // kill -9 of ignisd: the VMs keep their network; a node joins meanwhile; the next ignisd's agent routes to it.
    ProcessHandle killed = ProcessHandle.of(daemon1).orElseThrow();
    Ignis.sh("kill", "-9", String.valueOf(daemon1));
    killed.onExit().join();
    TestNodes.Node n3 = nodes.add(); // each command in a process of its own: its agent is a process
    n3.ok("--network-plugin", "flannel", "bootstrap", "join", n1.ip, "--insecure");
    String cIp = FlannelChecks.ipOf(n3, n3.ok("--network-plugin", "flannel", "run", "--name", "c").strip());
    String status = awaitAgent(n1, "in ignisd, pid ");
    long daemon2 = n1.daemonPid();
    assertThat(daemon2).isPositive().isNotEqualTo(daemon1);
    assertThat(status).contains("ok    agent: running, in ignisd, pid " + daemon2 + ", last synchronised with etcd")
        .contains("lease " + FlannelChecks.subnetOf(n3));
    assertThat(n1.fetch(aIp, "/cgi-bin/ping?" + bIp)).as("a's network after the kill").contains("1 packets received");
    assertThat(n1.fetch(aIp, "/cgi-bin/ping?" + cIp)).as("the new ignisd's agent forwards to the late node")
        .contains("1 packets received");
    assertThat(Files.readString(n1.dir.resolve("state/plugins/flannel/agent.log")))
        .contains("agent started for " + n1.dir.resolve("state/plugins/flannel") + " (in ignisd, pid " + daemon2 + ")");

    // An agent process started while no ignisd ran is taken over by the next ignisd.
    n2.ok("daemon", "stop");
    awaitGone(n2);
    assertThat(n2.inProcess("--network-plugin", "flannel", "bootstrap", "start").out())
        .containsPattern("ok    agent: running, pid \\d+, log ");
    assertThat(agentProcesses(n2)).as("the agent process without ignisd").isEqualTo(1);
    n2.ok("daemon", "start");
    String taken = awaitAgent(n2, "in ignisd, pid " + n2.daemonPid());
    assertThat(taken).contains("last synchronised with etcd");
    assertThat(agentProcesses(n2)).as("the agent process, once ignisd took over").isZero();
    assertThat(n1.fetch(aIp, "/cgi-bin/ping?" + bIp)).as("udp forwarding by the agent that took over")
        .contains("1 packets received");

    n1.ok("rm", "-f", "a");
    n2.ok("rm", "-f", "b");
    n3.ok("rm", "-f", "c");
    for (TestNodes.Node node : new TestNodes.Node[] {n3, n2, n1}) {
      node.ok("--network-plugin", "flannel", "bootstrap", "cleanup", "--purge");
    }
    assertThat(n1.ok("daemon", "status")).contains("plugin jobs: none");
    n1.ok("daemon", "stop");
    n2.ok("daemon", "stop");
    awaitGone(n1);
    awaitGone(n2);
    for (TestNodes.Node node : new TestNodes.Node[] {n3, n2, n1}) {
      FlannelChecks.assertNothingLeft(node);
    }
  }

  /** The flannel status once the agent runs as described and has synchronised (ignisd starts it in the background). */
  private static String awaitAgent(TestNodes.Node node, String where) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    String status = "";
    while (System.nanoTime() < deadline) {
      Ignis.Result result = node.flannel("bootstrap", "status");
      status = result.out();
      if (status.contains("ok    agent: running, " + where)) {
        return status;
      }
      TimeUnit.MILLISECONDS.sleep(500);
    }
    throw new AssertionError("the agent of " + node.netns + " did not run " + where + " within 30 s: " + status);
  }

  private static void awaitGone(TestNodes.Node node) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
    while (node.daemonPid() > 0 && System.nanoTime() < deadline) {
      TimeUnit.MILLISECONDS.sleep(100);
    }
    assertThat(node.daemonPid()).as("ignisd of " + node.netns + " stopped").isNegative();
  }

  private static String agentLog(TestNodes.Node node) throws Exception {
    return Files.readString(node.dir.resolve("state/plugins/flannel/agent.log"));
  }

  /** Agent JVMs of a node: processes running the agent's main class for its state dir. */
  private static long agentProcesses(TestNodes.Node node) {
    Path state = node.dir.resolve("state");
    return ProcessHandle.allProcesses().filter(p -> p.info().commandLine().map(line ->
        line.contains("dev.ignis.plugin.flannel.NodeAgent") && line.contains(state.toString())).orElse(false)).count();
  }
}
