package dev.ignis.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The flannel plugin with real etcd and real kernel devices: nodes are network namespaces on
 * one underlay ({@link TestNodes}), each with its own agent; node 1 also runs etcd. Real VMs
 * on different nodes reach each other through the overlay.
 */
@Tag("integration")
class FlannelIT extends FlannelNodesTest {

  @Test
  void twoNodesOverVxlanWithTls_vmsReachEachOther_andCleanupLeavesNothing() throws Exception {
    TestNodes.Node n1 = nodes.add();
    TestNodes.Node n2 = nodes.add();

    String init = n1.ok("--network-plugin", "flannel", "bootstrap", "init", "--network", network);
    assertThat(init).contains("ok    etcd: started on https://" + n1.ip + ":2379")
        .contains("ok    subnet: " + prefix + ".1.0/24 leased to " + n1.ip + " (vxlan on flannel.1)")
        .contains("ok    agent: running")
        .contains("open 2379/tcp and 2380/tcp (etcd, first node) and 8472/udp (vxlan)");
    Path bundle = n1.dir.resolve("state/plugins/flannel/flannel-join-bundle.pem");
    assertThat(init).contains("copy " + bundle);
    // Wrong TLS material: a bundle whose CA is not the network's; plain HTTP against TLS.
    String[] blocks = Files.readString(bundle).split("(?<=-----\\n)(?=-----BEGIN)");
    Path forged = Files.writeString(n2.dir.resolve("forged.pem"), blocks[1] + blocks[1] + blocks[2]);
    Ignis.Result wrongCa = n2.flannel("bootstrap", "join", n1.ip, "--bundle", forged.toString());
    assertThat(wrongCa.status()).isEqualTo(103);
    assertThat(wrongCa.err()).contains("error: etcd at " + n1.ip + ":2379 and this node do not trust each other's TLS"
        + " certificates");
    Ignis.Result plain = n2.flannel("bootstrap", "join", n1.ip, "--insecure");
    assertThat(plain.status()).isEqualTo(103);
    assertThat(plain.err()).contains("in etcd at http://" + n1.ip + ":2379").contains("https with --bundle");
    assertThat(n2.dir.resolve("state/plugins/flannel/tls")).as("nothing of the failed joins").doesNotExist();
    assertThat(n2.dir.resolve("state/plugins/flannel/node.json")).doesNotExist();

    Path copied = Files.copy(bundle, n2.dir.resolve("bundle.pem"));
    n2.ok("--network-plugin", "flannel", "bootstrap", "join", n1.ip, "--bundle", copied.toString());
    assertThat(Files.readString(n2.dir.resolve("subnet.env"))).contains("FLANNEL_NETWORK=" + network)
        .contains("FLANNEL_SUBNET=" + prefix + ".2.1/24").contains("FLANNEL_MTU=1450");

    String a = n1.ok("--network-plugin", "flannel", "run", "--name", "a", "-p", "18080:80").strip();
    String b = n2.ok("--network-plugin", "flannel", "run", "--name", "b").strip();
    String aIp = FlannelChecks.ipOf(n1, a);
    String bIp = FlannelChecks.ipOf(n2, b);
    assertThat(aIp).startsWith(prefix + ".1.");
    assertThat(bIp).startsWith(prefix + ".2.");
    assertThat(n1.fetch(aIp, "/cgi-bin/ping?" + bIp)).as("VM a pings VM b across nodes").contains("1 packets received");
    assertThat(n2.fetch(bIp, "/cgi-bin/fetch?" + aIp)).as("VM b fetches VM a's page").contains("<h1>a</h1>");
    assertThat(n2.fetch(n1.ip, 18080, "/")).as("VM a's published port from node 2").contains("<h1>a</h1>");
    n1.ok("port", "add", "a", "18081:80");
    assertThat(n1.fetch("127.0.0.1", 18081, "/")).as("a port added live, on node 1").contains("<h1>a</h1>");
    assertThat(n1.fetch(aIp, "/cgi-bin/ping?" + nodes.outside())).as("VM a reaches outside the overlay (masquerade)")
        .contains("1 packets received");

    String status = n2.ok("--network-plugin", "flannel", "bootstrap", "status");
    assertThat(status).contains("ok    etcd: healthy at https://" + n1.ip + ":2379 (TLS)")
        .contains("lease " + prefix + ".1.0/24: node " + n1.ip + ", vxlan, VTEP ")
        .contains("lease " + prefix + ".2.0/24: node " + n2.ip + ", vxlan, VTEP ").contains("(this node)")
        .contains("ok    agent: running");

    Ignis.Result early = n1.flannel("bootstrap", "cleanup");
    assertThat(early.status()).isEqualTo(102);
    assertThat(early.err()).contains("1 VM network(s) still attached to the flannel node network; stop or remove those"
        + " VMs first");

    n1.ok("rm", "-f", "a");
    n2.ok("rm", "-f", "b");
    n2.ok("--network-plugin", "flannel", "bootstrap", "cleanup");
    String cleanup = n1.ok("--network-plugin", "flannel", "bootstrap", "cleanup", "--purge");
    assertThat(cleanup).contains("ok    lease: released " + prefix + ".1.0/24").contains("ok    etcd: stopped");
    for (TestNodes.Node node : new TestNodes.Node[] {n1, n2}) {
      FlannelChecks.assertNothingLeft(node);
    }
  }

  @Test
  void hostGw_etcdKilledAndStartedAgain_aLateNodeReachesBoth() throws Exception {
    TestNodes.Node n1 = nodes.add();
    TestNodes.Node n2 = nodes.add();
    n1.ok("--network-plugin", "flannel", "bootstrap", "init", "--insecure", "--backend", "host-gw", "--network", network);
    n2.ok("--network-plugin", "flannel", "bootstrap", "join", n1.ip, "--insecure");
    String aIp = FlannelChecks.ipOf(n1, n1.ok("--network-plugin", "flannel", "run", "--name", "a").strip());
    String bIp = FlannelChecks.ipOf(n2, n2.ok("--network-plugin", "flannel", "run", "--name", "b").strip());
    assertThat(n1.sh("ip", "route", "show", "proto", "73")).as("host-gw route on n1")
        .contains(prefix + ".2.0/24 via " + n2.ip + " dev eth0");
    assertThat(n1.fetch(aIp, "/cgi-bin/ping?" + bIp)).contains("1 packets received");

    // A VM on the overlay and on a node-local CNI bridge at once: eth0 flannel's, eth1 the bridge's.
    Files.writeString(n1.dir.resolve("net.d/20-local.conflist"), """
        {"cniVersion":"1.0.0","name":"node-local","plugins":[
          {"type":"bridge","bridge":"iglocal0","isGateway":true,
           "ipam":{"type":"host-local","subnet":"192.168.77.0/24","dataDir":"%s"}}]}
        """.formatted(n1.dir.resolve("local-ipam")));
    n1.ok("run", "--name", "mixed", "--network", "flannel", "--network", "cni:node-local");
    com.fasterxml.jackson.databind.JsonNode nics = null;
    for (var view : new com.fasterxml.jackson.databind.ObjectMapper().readTree(n1.ok("ps", "-o", "json"))) {
      nics = view.path("name").asText().equals("mixed") ? view.path("nics") : nics;
    }
    assertThat(nics).as("ps lists the VM").isNotNull();
    String overlayIp = nics.path(0).path("ips").path(0).asText().replaceAll("/.*", "");
    String localIp = nics.path(1).path("ips").path(0).asText().replaceAll("/.*", "");
    assertThat(overlayIp).startsWith(prefix + ".1.");
    assertThat(localIp).startsWith("192.168.77.");
    assertThat(n1.fetch(localIp, "/")).as("on the local bridge").contains("<h1>mixed</h1>");
    assertThat(n2.fetch(bIp, "/cgi-bin/fetch?" + overlayIp)).as("from node 2 over the overlay")
        .contains("<h1>mixed</h1>");
    n1.ok("rm", "-f", "mixed");
    assertThat(n1.sh("ls", n1.dir.resolve("local-ipam/node-local").toString())).as("its local address released")
        .doesNotContain("192.168.77.");

    // etcd dies: the data plane keeps forwarding; 'bootstrap start' brings it back.
    long etcdPid = Long.parseLong(Files.readString(n1.dir.resolve("state/plugins/flannel/etcd.pid")).strip());
    ProcessHandle.of(etcdPid).orElseThrow().destroyForcibly();
    ProcessHandle.of(etcdPid).ifPresent(p -> p.onExit().join());
    assertThat(n2.fetch(bIp, "/cgi-bin/ping?" + aIp)).as("traffic while etcd is down").contains("1 packets received");
    long asked = System.nanoTime();
    Ignis.Result statusWhileDown = n1.flannel("bootstrap", "status");
    System.out.printf("measured: 'bootstrap status' with etcd down took %d ms%n", (System.nanoTime() - asked) / 1_000_000);
    assertThat(statusWhileDown.out()).contains("FAIL  etcd: cannot reach etcd at " + n1.ip + ":2379 (connection"
        + " refused: nothing listens there)")
        .contains("agent: running, pid").contains("last synchronised with etcd");
    assertThat(n1.ok("--network-plugin", "flannel", "bootstrap", "start")).contains("ok    etcd: started on http://"
        + n1.ip + ":2379").contains("ok    agent: was running");

    // A third node joins late: the agents of the first two, recovered, route to it.
    TestNodes.Node n3 = nodes.add();
    n3.ok("--network-plugin", "flannel", "bootstrap", "join", n1.ip, "--insecure");
    String cIp = FlannelChecks.ipOf(n3, n3.ok("--network-plugin", "flannel", "run", "--name", "c").strip());
    assertThat(n3.fetch(cIp, "/cgi-bin/ping?" + aIp)).as("late node to node 1").contains("1 packets received");
    assertThat(n3.fetch(cIp, "/cgi-bin/fetch?" + bIp)).as("late node to node 2").contains("<h1>b</h1>");

    n1.ok("rm", "-f", "a");
    n2.ok("rm", "-f", "b");
    n3.ok("rm", "-f", "c");
    for (TestNodes.Node node : new TestNodes.Node[] {n3, n2, n1}) {
      node.ok("--network-plugin", "flannel", "bootstrap", "cleanup", "--purge");
      FlannelChecks.assertNothingLeft(node);
    }
  }

  @Test
  void udpBackend_carriesVmTrafficInTheAgents() throws Exception {
    TestNodes.Node n1 = nodes.add();
    TestNodes.Node n2 = nodes.add();
    assertThat(n1.ok("--network-plugin", "flannel", "bootstrap", "init", "--insecure", "--backend", "udp", "--network",
        network)).contains("(udp on flannel0)").contains("and 8285/udp (udp) between the nodes");
    n2.ok("--network-plugin", "flannel", "bootstrap", "join", n1.ip, "--insecure");
    assertThat(n2.sh("ip", "-o", "addr", "show", "dev", "flannel0")).contains(prefix + ".2.0/16");
    String aIp = FlannelChecks.ipOf(n1, n1.ok("--network-plugin", "flannel", "run", "--name", "a").strip());
    String bIp = FlannelChecks.ipOf(n2, n2.ok("--network-plugin", "flannel", "run", "--name", "b").strip());
    assertThat(n1.fetch(aIp, "/cgi-bin/ping?" + bIp)).contains("1 packets received");
    assertThat(n2.fetch(bIp, "/cgi-bin/fetch?" + aIp)).contains("<h1>a</h1>");

    // Bulk TCP between the nodes crosses both offload paths (the device's 64 KB TSO packets cut
    // into datagrams, datagrams received together joined into GSO packets): every byte arrives.
    byte[] data = new byte[16 << 20];
    new java.util.Random(42).nextBytes(data);
    Path sent = Files.write(work.resolve("bulk.bin"), data);
    Path got = work.resolve("got.bin");
    String n2Gateway = FlannelChecks.subnetOf(n2).replace(".0/24", ".1");
    Process listener = new ProcessBuilder("ip", "netns", "exec", n2.netns, "busybox", "nc", "-l", "-p", "15555")
        .redirectOutput(got.toFile()).start();
    Thread.sleep(300);
    long started = System.nanoTime();
    n1.sh("bash", "-c", "cat " + sent + " > /dev/tcp/" + n2Gateway + "/15555");
    assertThat(listener.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).as("the transfer ended").isTrue();
    System.out.printf("measured: 16 MiB over the udp backend in %d ms%n", (System.nanoTime() - started) / 1_000_000);
    assertThat(Files.mismatch(sent, got)).as("first differing byte of the 16 MiB received").isEqualTo(-1);

    // The agents carry the traffic: they must come through an etcd restart with their TUN devices.
    long etcdPid = Long.parseLong(Files.readString(n1.dir.resolve("state/plugins/flannel/etcd.pid")).strip());
    ProcessHandle.of(etcdPid).ifPresent(p -> {
      p.destroyForcibly();
      p.onExit().join();
    });
    n1.ok("--network-plugin", "flannel", "bootstrap", "start");
    Thread.sleep(8000); // the agents notice, reconnect and resynchronise (every 5 s)
    assertThat(n1.fetch(aIp, "/cgi-bin/ping?" + bIp)).as("after etcd's restart").contains("1 packets received");
    assertThat(Files.readString(n2.dir.resolve("state/plugins/flannel/agent.log"))).doesNotContain("TUN device");

    n1.ok("rm", "-f", "a");
    n2.ok("rm", "-f", "b");
    n2.ok("--network-plugin", "flannel", "bootstrap", "cleanup");
    n1.ok("--network-plugin", "flannel", "bootstrap", "cleanup", "--purge");
    FlannelChecks.assertNothingLeft(n1);
    FlannelChecks.assertNothingLeft(n2);
  }

  @Test
  void badInput_isOneLineAndLeavesNoHalfMadeNode() throws Exception {
    TestNodes.Node n1 = nodes.add();
    TestNodes.Node n2 = nodes.add();

    Ignis.Result overlap = n1.flannel("bootstrap", "init", "--insecure", "--network", nodes.prefix + "0/25");
    assertThat(overlap.status()).isEqualTo(100);
    assertThat(overlap.err().strip()).isEqualTo("error: network " + nodes.prefix + "0/25 overlaps this node's address "
        + n1.ip + "/24 on eth0; pick another --network");
    Ignis.Result backend = n1.flannel("bootstrap", "init", "--insecure", "--backend", "ipsec");
    assertThat(backend.err().strip()).isEqualTo("error: backend type 'ipsec' is not one of vxlan, host-gw, udp");
    Ignis.Result unreachable = n2.flannel("bootstrap", "join", nodes.prefix + "9", "--insecure");
    assertThat(unreachable.status()).isEqualTo(103);
    assertThat(unreachable.err()).contains("error: cannot reach etcd at " + nodes.prefix + "9:2379 (")
        .contains("is etcd running on that node and port 2379/tcp open?");
    Ignis.Result noBundle = n2.flannel("bootstrap", "join", n1.ip);
    assertThat(noBundle.status()).isEqualTo(100);
    assertThat(noBundle.err()).contains("pass --bundle FILE (the flannel-join-bundle.pem that init printed) or --insecure");
    for (TestNodes.Node node : new TestNodes.Node[] {n1, n2}) {
      FlannelChecks.assertNothingLeft(node);
    }

    // One subnet in the pool: the second node finds none.
    n1.ok("--network-plugin", "flannel", "bootstrap", "init", "--insecure", "--network", network,
        "--subnet-min", prefix + ".7.0", "--subnet-max", prefix + ".7.0");
    Ignis.Result again = n1.flannel("bootstrap", "init", "--insecure");
    assertThat(again.status()).isEqualTo(102);
    assertThat(again.err()).contains("this node is already in a flannel network (subnet " + prefix + ".7.0/24");
    Ignis.Result exhausted = n2.flannel("bootstrap", "join", n1.ip, "--insecure");
    assertThat(exhausted.status()).isEqualTo(103);
    assertThat(exhausted.err().strip()).isEqualTo("error: no free /24 left in " + network + " between " + prefix
        + ".7.0 and " + prefix + ".7.0 (1 leased); widen --subnet-min/--subnet-max on init, or clean up nodes that are"
        + " gone");
    FlannelChecks.assertNothingLeft(n2);
    Ignis.Result otherNetwork = n2.flannel("bootstrap", "init", "--insecure", "--etcd-endpoints", "http://" + n1.ip
        + ":2379", "--network", "10.77.0.0/16");
    assertThat(otherNetwork.status()).isEqualTo(102);
    assertThat(otherNetwork.err()).contains("error: etcd at http://" + n1.ip + ":2379 already holds another flannel"
        + " network ({\"Network\":\"" + network + "\"");
    Ignis.Result noBundle2 = n2.flannel("bootstrap", "init", "--etcd-endpoints", "https://" + n1.ip + ":2379");
    assertThat(noBundle2.err()).contains("with --etcd-endpoints, pass --bundle FILE");
    FlannelChecks.assertNothingLeft(n2);

    // A lease value another tool wrote that is not a flannel lease: skipped with a warning.
    n1.sh("etcdctl", "--endpoints", "http://" + n1.ip + ":2379", "put", "/coreos.com/network/subnets/" + prefix
        + ".9.0-24", "not json");
    assertThat(n1.ok("--network-plugin", "flannel", "bootstrap", "status"))
        .contains("lease skipped: skipping lease /coreos.com/network/subnets/" + prefix + ".9.0-24: its value is not a"
            + " flannel lease")
        .contains("lease " + prefix + ".7.0/24: node " + n1.ip);
    n1.ok("--network-plugin", "flannel", "bootstrap", "cleanup", "--purge");
    FlannelChecks.assertNothingLeft(n1);
  }

  @Test
  void aNodeBackAfterItsLeaseWasTaken_leasesAnotherSubnet_insteadOfFightingForIt() throws Exception {
    TestNodes.Node n1 = nodes.add();
    TestNodes.Node n2 = nodes.add();
    TestNodes.Node n3 = nodes.add();
    String etcd = "http://" + n1.ip + ":2379";
    n1.ok("--network-plugin", "flannel", "bootstrap", "init", "--insecure", "--network", network);
    n2.ok("--network-plugin", "flannel", "bootstrap", "join", n1.ip, "--insecure");
    String taken = FlannelChecks.subnetOf(n2);
    String key = "/coreos.com/network/subnets/" + taken.replace('/', '-');
    String a = n1.ok("--network-plugin", "flannel", "run", "--name", "a").strip();
    String b = n2.ok("--network-plugin", "flannel", "run", "--name", "b").strip();

    // Node 2's agent dies and its etcd lease expires (revoked here, as a TTL would); node 3 takes the subnet.
    long agentPid = Long.parseLong(Files.readString(n2.dir.resolve("state/plugins/flannel/agent.pid")).strip());
    ProcessHandle.of(agentPid).ifPresent(p -> {
      p.destroyForcibly();
      p.onExit().join();
    });
    Matcher lease = Pattern.compile("\"lease\":(\\d+)").matcher(n1.sh("etcdctl", "--endpoints", etcd, "get", key,
        "-w", "json"));
    assertThat(lease.find()).isTrue();
    n1.sh("etcdctl", "--endpoints", etcd, "lease", "revoke", Long.toHexString(Long.parseLong(lease.group(1))));
    n3.ok("--network-plugin", "flannel", "bootstrap", "join", n1.ip, "--insecure");
    assertThat(FlannelChecks.subnetOf(n3)).as("the freed subnet goes to the new node").isEqualTo(taken);

    // Node 2 comes back: it leases another subnet and re-points its node network; node 3 keeps its lease.
    n2.ok("--network-plugin", "flannel", "bootstrap", "start");
    long deadline = System.nanoTime() + 20_000_000_000L;
    while (FlannelChecks.subnetOf(n2).equals(taken) && System.nanoTime() < deadline) {
      Thread.sleep(200);
    }
    String moved = FlannelChecks.subnetOf(n2);
    assertThat(moved).as("node 2's subnet after its return").isNotEqualTo(taken);
    for (int i = 0; i < 5; i++) {
      assertThat(n1.sh("etcdctl", "--endpoints", etcd, "get", key, "--print-value-only"))
          .as("the taken subnet's lease stays node 3's").contains("\"PublicIP\":\"" + n3.ip + "\"");
      Thread.sleep(400);
    }
    assertThat(n1.sh("etcdctl", "--endpoints", etcd, "get", "/coreos.com/network/subnets/" + moved.replace('/', '-'),
        "--print-value-only")).contains("\"PublicIP\":\"" + n2.ip + "\"");
    assertThat(Files.readString(n2.dir.resolve("state/plugins/flannel/agent.log")))
        .contains("subnet " + taken + " is held by node " + n3.ip + " now; leasing " + moved + " instead");
    assertThat(Files.readString(n3.dir.resolve("state/plugins/flannel/agent.log"))).doesNotContain("missing or changed");
    assertThat(Files.readString(n2.dir.resolve("subnet.env"))).contains("FLANNEL_SUBNET="
        + moved.substring(0, moved.lastIndexOf('.')) + ".1/").contains("FLANNEL_IPMASQ=true");
    assertThat(n2.flannel("bootstrap", "status").out()).contains("FAIL  subnet: moved from " + taken
        + " to " + moved).contains("VMs still on " + taken + " must be restarted ('runtime stop' and 'runtime start'): "
        + b);
    // One per node once the agents settled: an agent binds its key to a new lease before it
    // revokes the old one (two etcd calls), so a look in between sees one more for a moment.
    String leases = n1.sh("etcdctl", "--endpoints", etcd, "lease", "list");
    for (long until = System.nanoTime() + 5_000_000_000L; !leases.startsWith("found 3 leases")
        && System.nanoTime() < until; ) {
      Thread.sleep(200);
      leases = n1.sh("etcdctl", "--endpoints", etcd, "lease", "list");
    }
    assertThat(leases).as("etcd leases: one per node").startsWith("found 3 leases");

    n1.ok("rm", "-f", a);
    n2.ok("rm", "-f", b);
    Matcher vtep = Pattern.compile("link/ether ([0-9a-f:]{17})").matcher(n3.sh("ip", "-o", "link", "show", "flannel.1"));
    assertThat(vtep.find()).isTrue();
    assertThat(n1.sh("bridge", "fdb", "show", "dev", "flannel.1")).as("node 1 forwards to node 3").contains(vtep.group(1));
    n3.ok("--network-plugin", "flannel", "bootstrap", "cleanup");
    long gone = System.nanoTime() + 15_000_000_000L;
    while (n1.sh("bridge", "fdb", "show", "dev", "flannel.1").contains(vtep.group(1)) && System.nanoTime() < gone) {
      Thread.sleep(200);
    }
    assertThat(n1.sh("bridge", "fdb", "show", "dev", "flannel.1")).as("node 1's fdb once node 3 left")
        .doesNotContain(vtep.group(1));
    assertThat(n1.sh("ip", "neigh", "show", "dev", "flannel.1")).as("node 1's neighbours once node 3 left")
        .doesNotContain(vtep.group(1));
    n2.ok("--network-plugin", "flannel", "bootstrap", "cleanup");
    assertThat(n1.dir.resolve("ipam/ignis-flannel")).as("the node network's IPAM dir before --purge").exists();
    assertThat(n1.sh("etcdctl", "--endpoints", etcd, "lease", "list")).as("etcd leases once two nodes left")
        .startsWith("found 1 leases");
    assertThat(n1.sh("etcdctl", "--endpoints", etcd, "get", "--prefix", "/coreos.com/network/subnets/", "--keys-only"))
        .doesNotContain(taken.replace('/', '-')).doesNotContain(moved.replace('/', '-'));
    n1.ok("--network-plugin", "flannel", "bootstrap", "cleanup", "--purge");
    assertThat(n1.dir.resolve("ipam/ignis-flannel")).as("the node network's IPAM dir after --purge").doesNotExist();
    for (TestNodes.Node node : new TestNodes.Node[] {n1, n2, n3}) {
      FlannelChecks.assertNothingLeft(node);
    }
  }
}
