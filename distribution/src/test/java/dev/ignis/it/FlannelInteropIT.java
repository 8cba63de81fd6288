package dev.ignis.it;

import static dev.ignis.it.FlannelChecks.assertNothingLeft;
import static dev.ignis.it.FlannelChecks.ipOf;
import static dev.ignis.it.FlannelChecks.subnetOf;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The flannel plugin among leases and agents it did not make: a lease another tool wrote in
 * flanneld's format with etcdctl, two nodes racing for the last free subnet, {@code stop}'s
 * revoke, and a node whose lease and vxlan device a flanneld stand-in (etcdctl and iproute2,
 * as flanneld does them) holds, joined with {@code --agent external}.
 */
@Tag("integration")
class FlannelInteropIT extends FlannelNodesTest {

  @Test
  void anotherToolsLease_isRespected_twoNodesRaceForTheLastSubnet_andStopRevokes() throws Exception {
    TestNodes.Node n1 = nodes.add().withFlannelSetting("lease-ttl", "10"); // renewed every 3.3 s
    TestNodes.Node n2 = nodes.add();
    TestNodes.Node n3 = nodes.add();
    String etcd = "http://" + n1.ip + ":2379";
    n1.ok("--network-plugin", "flannel", "bootstrap", "init", "--insecure", "--network", network,
        "--subnet-min", prefix + ".1.0", "--subnet-max", prefix + ".3.0");
    String n1Key = "/coreos.com/network/subnets/" + prefix + ".1.0-24";
    await("node 1's agent holds its lease", () -> sh(n1, "etcdctl", "--endpoints", etcd, "get", n1Key, "-w", "json")
        .matches("(?s).*\"lease\":\\d+.*") && Files.exists(n1.dir.resolve("state/plugins/flannel/agent.heartbeat")));
    String n1Lease = leaseOf(n1, etcd, n1Key);

    // A flanneld node elsewhere, its lease written the way flanneld writes it (a TTL'd etcd lease).
    String foreignKey = "/coreos.com/network/subnets/" + prefix + ".2.0-24";
    String foreignValue = "{\"PublicIP\":\"" + nodes.prefix + "200\",\"BackendType\":\"vxlan\",\"BackendData\":"
        + "{\"VNI\":1,\"VtepMAC\":\"0a:58:0a:f4:02:00\"}}";
    String foreignLease = grantLease(n1, etcd, 600);
    n1.sh("etcdctl", "--endpoints", etcd, "put", foreignKey, foreignValue, "--lease=" + foreignLease);
    await("node 1 routes to the foreign lease", () -> sh(n1, "ip", "route", "show", "proto", "73")
        .contains(prefix + ".2.0/24 via " + prefix + ".2.0 dev flannel.1 onlink"));
    assertThat(n1.sh("bridge", "fdb", "show", "dev", "flannel.1")).contains("0a:58:0a:f4:02:00 dst " + nodes.prefix
        + "200");

    // Two nodes race for the one subnet left: one gets it, the other fails cleanly; nobody takes the foreign one.
    CompletableFuture<Ignis.Result> join2 = CompletableFuture.supplyAsync(() -> join(n2, n1.ip));
    CompletableFuture<Ignis.Result> join3 = CompletableFuture.supplyAsync(() -> join(n3, n1.ip));
    List<Ignis.Result> results = List.of(join2.get(), join3.get());
    assertThat(results).extracting(Ignis.Result::status).as("exit codes of the racing joins")
        .containsExactlyInAnyOrder(0, 103);
    TestNodes.Node winner = results.get(0).status() == 0 ? n2 : n3;
    TestNodes.Node loser = winner == n2 ? n3 : n2;
    assertThat(results.get(winner == n2 ? 1 : 0).err()).contains("error: no free /24 left in " + network);
    assertThat(subnetOf(winner)).isEqualTo(prefix + ".3.0/24");
    assertNothingLeft(loser);
    assertThat(n1.sh("etcdctl", "--endpoints", etcd, "get", foreignKey, "--print-value-only").strip())
        .as("the foreign lease, untouched").isEqualTo(foreignValue);
    // One etcd lease per node once the winner's agent holds its subnet (the joins' claim leases are revoked).
    await("three etcd leases: node 1, the winner, the foreign node", () -> sh(n1, "etcdctl", "--endpoints", etcd,
        "lease", "list").startsWith("found 3 leases"));

    // Node 1's 10 s lease was renewed all along (the same etcd lease, alive), not replaced.
    Thread.sleep(12_000);
    assertThat(leaseOf(n1, etcd, n1Key)).as("node 1's etcd lease after several renewals").isEqualTo(n1Lease);
    assertThat(n1.sh("etcdctl", "--endpoints", etcd, "lease", "timetolive", n1Lease)).contains("remaining(");
    assertThat(Files.readString(n1.dir.resolve("state/plugins/flannel/agent.log"))).doesNotContain("session ended")
        .doesNotContain("expired");

    // stop revokes the lease (the others drop their routes); start claims it again; --keep-lease keeps it.
    String winnerKey = "/coreos.com/network/subnets/" + prefix + ".3.0-24";
    assertThat(winner.ok("--network-plugin", "flannel", "bootstrap", "stop")).contains("ok    lease: released "
        + prefix + ".3.0/24 (its etcd lease revoked)");
    assertThat(n1.sh("etcdctl", "--endpoints", etcd, "get", winnerKey, "--print-value-only")).isBlank();
    await("node 1 drops its route to the stopped node", () -> !sh(n1, "ip", "route", "show", "proto", "73")
        .contains(prefix + ".3.0/24"));
    winner.ok("--network-plugin", "flannel", "bootstrap", "start");
    await("the started node holds its subnet again", () -> sh(n1, "etcdctl", "--endpoints", etcd, "get", winnerKey,
        "--print-value-only").contains("\"PublicIP\":\"" + winner.ip + "\""));
    assertThat(winner.ok("--network-plugin", "flannel", "bootstrap", "stop", "--keep-lease"))
        .contains("ok    lease: " + prefix + ".3.0/24 kept");
    assertThat(n1.sh("etcdctl", "--endpoints", etcd, "get", winnerKey, "--print-value-only")).contains(winner.ip);
    winner.ok("--network-plugin", "flannel", "bootstrap", "start");

    winner.ok("--network-plugin", "flannel", "bootstrap", "cleanup");
    await("two etcd leases once the winner left: node 1's and the foreign one", () -> sh(n1, "etcdctl", "--endpoints",
        etcd, "lease", "list").startsWith("found 2 leases"));
    n1.sh("etcdctl", "--endpoints", etcd, "lease", "revoke", foreignLease);
    n1.ok("--network-plugin", "flannel", "bootstrap", "cleanup", "--purge");
    for (TestNodes.Node node : new TestNodes.Node[] {n1, n2, n3}) {
      assertNothingLeft(node);
    }
  }

  @Test
  void aNodeOfTheHostsFlanneld_joinsWithAgentExternal_andItsVmsReachTheOthers() throws Exception {
    TestNodes.Node n1 = nodes.add();
    TestNodes.Node n2 = nodes.add();
    String etcd = "http://" + n1.ip + ":2379";
    n1.ok("--network-plugin", "flannel", "bootstrap", "init", "--insecure", "--network", network);
    Ignis.Result early = n2.flannel("bootstrap", "join", "--agent", "external");
    assertThat(early.status()).isEqualTo(103);
    assertThat(early.err().strip()).isEqualTo("error: there is no " + n2.dir.resolve("subnet.env") + "; start flanneld"
        + " first (it writes the file once it holds a lease), or point plugin.flannel.subnet-file at the one it writes");
    assertNothingLeft(n2);
    assertThat(n2.flannel("bootstrap", "join", "--agent", "ignis").err()).contains("--agent takes only 'external'");

    // The stand-in does on node 2 what flanneld's vxlan backend does: device, lease, routes to node 1, subnet.env.
    String subnet = prefix + ".5.0";
    n2.sh("ip", "link", "add", "flannel.1", "type", "vxlan", "id", "1", "local", n2.ip, "dev", "eth0", "nolearning",
        "dstport", "8472");
    n2.sh("ip", "link", "set", "flannel.1", "mtu", "1450", "up");
    n2.sh("ip", "addr", "add", subnet + "/32", "dev", "flannel.1");
    String lease = grantLease(n1, etcd, 600);
    n1.sh("etcdctl", "--endpoints", etcd, "put", "/coreos.com/network/subnets/" + subnet + "-24", "{\"PublicIP\":\""
        + n2.ip + "\",\"BackendType\":\"vxlan\",\"BackendData\":{\"VNI\":1,\"VtepMAC\":\"" + macOf(n2, "flannel.1")
        + "\"}}", "--lease=" + lease);
    String n1Mac = macOf(n1, "flannel.1");
    n2.sh("ip", "route", "add", prefix + ".1.0/24", "via", prefix + ".1.0", "dev", "flannel.1", "onlink");
    n2.sh("ip", "neigh", "add", prefix + ".1.0", "lladdr", n1Mac, "dev", "flannel.1", "nud", "permanent");
    n2.sh("bridge", "fdb", "add", n1Mac, "dev", "flannel.1", "dst", n1.ip);
    Files.writeString(n2.dir.resolve("subnet.env"), "FLANNEL_NETWORK=" + network + "\nFLANNEL_SUBNET=" + prefix
        + ".5.1/24\nFLANNEL_MTU=1450\nFLANNEL_IPMASQ=false\n");

    String joined = n2.ok("--network-plugin", "flannel", "bootstrap", "join", "--agent", "external");
    assertThat(joined).contains("ok    subnet: " + subnet + "/24 of " + network).contains("the bridge masquerades");
    assertThat(Files.readString(n2.dir.resolve("net.d/10-ignis-flannel.conflist"))).contains("\"mtu\":1450")
        .contains("\"ipMasq\":true");
    assertThat(Ignis.sh("ps", "-eo", "args")).as("no agent of ours on node 2").doesNotContain(n2.dir.toString());
    String a = n1.ok("--network-plugin", "flannel", "run", "--name", "a").strip();
    String b = n2.ok("--network-plugin", "flannel", "run", "--name", "b").strip();
    String aIp = ipOf(n1, a);
    String bIp = ipOf(n2, b);
    assertThat(bIp).startsWith(prefix + ".5.");
    assertThat(n2.fetch(bIp, "/cgi-bin/ping?" + aIp)).as("VM b (flanneld node) pings VM a").contains("1 packets received");
    assertThat(n1.fetch(aIp, "/cgi-bin/fetch?" + bIp)).as("VM a fetches VM b's page").contains("<h1>b</h1>");
    assertThat(n2.ok("--network-plugin", "flannel", "bootstrap", "status")).contains("ok    agent: external (flanneld); "
        + n2.dir.resolve("subnet.env") + " written");

    // flanneld moves the node to another subnet: status says so; start re-points the node network and names VM b.
    Files.writeString(n2.dir.resolve("subnet.env"), "FLANNEL_NETWORK=" + network + "\nFLANNEL_SUBNET=" + prefix
        + ".6.1/24\nFLANNEL_MTU=1450\nFLANNEL_IPMASQ=true\n");
    assertThat(n2.flannel("bootstrap", "status").out()).contains("FAIL  agent: external (flanneld) holds " + prefix
        + ".6.0/24 now");
    assertThat(n2.ok("--network-plugin", "flannel", "bootstrap", "start")).contains("moved from " + subnet + "/24 to "
        + prefix + ".6.0/24").contains("must be restarted ('runtime stop' and 'runtime start'): " + b);
    assertThat(Files.readString(n2.dir.resolve("net.d/10-ignis-flannel.conflist"))).contains(prefix + ".6.0/24")
        .contains("\"ipMasq\":false");

    n1.ok("rm", "-f", a);
    n2.ok("rm", "-f", b);
    assertThat(n2.ok("--network-plugin", "flannel", "bootstrap", "cleanup")).contains("flanneld's subnet.env left alone");
    assertThat(n2.dir.resolve("subnet.env")).as("flanneld's file").exists();
    assertThat(n2.dir.resolve("net.d/10-ignis-flannel.conflist")).doesNotExist();
    // The stand-in goes, as flanneld would.
    n1.sh("etcdctl", "--endpoints", etcd, "lease", "revoke", lease);
    n2.sh("ip", "link", "delete", "flannel.1");
    Files.delete(n2.dir.resolve("subnet.env"));
    n1.ok("--network-plugin", "flannel", "bootstrap", "cleanup", "--purge");
    assertNothingLeft(n1);
    assertNothingLeft(n2);
  }

  private static Ignis.Result join(TestNodes.Node node, String node1) {
    try {
      return node.flannel("bootstrap", "join", node1, "--insecure");
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static String grantLease(TestNodes.Node node, String etcd, int ttl) throws Exception {
    Matcher granted = Pattern.compile("lease ([0-9a-f]+) granted").matcher(node.sh("etcdctl", "--endpoints", etcd,
        "lease", "grant", String.valueOf(ttl)));
    assertThat(granted.find()).isTrue();
    return granted.group(1);
  }

  /** The etcd lease (hex, as etcdctl takes it) a key is bound to. */
  private static String leaseOf(TestNodes.Node node, String etcd, String key) throws Exception {
    Matcher lease = Pattern.compile("\"lease\":(\\d+)").matcher(node.sh("etcdctl", "--endpoints", etcd, "get", key,
        "-w", "json"));
    assertThat(lease.find()).as("lease of " + key).isTrue();
    return Long.toHexString(Long.parseLong(lease.group(1)));
  }

  private static String macOf(TestNodes.Node node, String link) throws Exception {
    Matcher mac = Pattern.compile("link/ether ([0-9a-f:]{17})").matcher(node.sh("ip", "-o", "link", "show", link));
    assertThat(mac.find()).as("MAC of " + link + " on " + node.netns).isTrue();
    return mac.group(1);
  }

  private static String sh(TestNodes.Node node, String... command) {
    try {
      return node.sh(command);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + 20_000_000_000L;
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as(what + " within 20 s").isLessThan(deadline);
      Thread.sleep(200);
    }
  }
}
