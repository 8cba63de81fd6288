package dev.ignis.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The cni plugin held to what libcni does, with the real Debian plugins, a small 1.1.0 plugin
 * of the test's own that records every call, and libcni itself (a peer built from Debian's
 * libcni source) acting on Ignis' VMs.
 */
@Tag("integration")
class CniLikeLibcniIT extends NetworkedVmTest {

  private void assertRefused(Ignis.Result result, int status, String message) {
    assertThat(result.status()).as(result.err()).isEqualTo(status);
    assertThat(result.err().strip()).startsWith("error: ").contains(message).doesNotContain("\n");
  }

  @Test
  void staticIpsAndMacs_areCheckedAtCreate_beforeAnythingOnTheHostChanges() throws Exception {
    assertRefused(ignis.run("create", "--name", "two", "--ip", net.prefix + "20", "--ip", net.prefix + "21"), 100,
        "network '" + net.name + "' takes one static IP per VM");
    assertRefused(ignis.run("create", "--name", "out", "--ip", "192.0.2.10"), 100, "is outside network");
    assertRefused(ignis.run("create", "--name", "gw", "--ip", net.gateway()), 100, "is the gateway of " + net.subnet());
    assertRefused(ignis.run("create", "--name", "bc", "--ip", net.prefix + "255"), 100, "is the broadcast address");
    assertRefused(ignis.run("create", "--name", "nw", "--ip", net.prefix + "0"), 100, "is the network address");
    assertRefused(ignis.run("create", "--name", "zero", "--mac", "00:00:00:00:00:00"), 100, "is all zeros");
    assertRefused(ignis.run("create", "--name", "multi", "--mac", "01:00:5e:00:00:01"), 100, "is a multicast address");

    ignis.ok("run", "--name", "fixed", "--ip", net.prefix + "77");
    assertRefused(ignis.run("create", "--name", "twin", "--ip", net.prefix + "77"), 102, "is held by VM 'fixed'");
    // A lease another runtime holds on the same network (host-local's file names its container).
    Files.writeString(net.ipamDir.resolve(net.name).resolve(net.prefix + "78"), "foreign-container\r\neth0");
    assertRefused(ignis.run("create", "--name", "late", "--ip", net.prefix + "78"), 102,
        "is already leased on network '" + net.name + "' to container foreign-container");
    Files.delete(net.ipamDir.resolve(net.name).resolve(net.prefix + "78"));

    assertThat(ignis.ok("ps", "-a")).contains("fixed").doesNotContain("twin")
        .doesNotContain("two").doesNotContain("zero");
    try (Stream<Path> journal = Files.list(ignis.state.resolve("plugins/cni/attachments"))) {
      assertThat(journal).as("journal entries: only the running VM's").hasSize(1);
    }
  }

  @Test
  void aNetworkNameThatIsNoFileName_isRefusedBeforeAnyFileIsWritten() throws Exception {
    net.write(net.defaultShapedConflist().replace("\"name\":\"" + net.name + "\"", "\"name\":\"../escape\""));
    assertRefused(ignis.run("run", "--name", "esc"), 100, "has network name '../escape'");
    try (Stream<Path> files = Files.walk(work)) {
      assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.contains("escape"));
    }
  }

  @Test
  void aDelThatFails_keepsTheAttachmentAndItsHostPort_untilGcFinishesIt() throws Exception {
    // portmap under a type name the test can take away and give back.
    Path wrapper = net.plugin("pmw", "exec /usr/lib/cni/portmap");
    net.write(net.defaultShapedConflist().replace("\"type\":\"portmap\"", "\"type\":\"pmw\""));
    int port = TestNetwork.freePort();
    ignis.ok("run", "--name", "web", "-p", port + ":80");
    String id = idOf("web");
    try {
      Files.delete(wrapper);

      Ignis.Result stop = ignis.run("stop", "web");
      assertRefused(stop, 103, "VM 'web' is stopped, but its network is not detached: network '" + net.name
          + "': CNI plugin 'pmw' not found in " + net.binDir);
      assertThat(ignis.ok("ps", "-a")).contains("stopping (detach pending)");
      assertThat(Ignis.sh("iptables-save")).as("the dead VM's DNAT rule").contains("--dport " + port + " ");
      assertRefused(ignis.run("run", "--name", "other", "-p", port + ":80"), 102, "is already mapped to VM 'web'");

      Ignis.Result rm = ignis.run("rm", "-f", "web");
      assertThat(rm.status()).as(rm.err()).isZero();
      assertThat(rm.err()).contains("warning: VM 'web' is removed, but not all of its network");
      assertRefused(ignis.run("run", "--name", "other", "-p", port + ":80"), 102,
          "host port " + port + "/tcp is still forwarded to container " + id + " of network '" + net.name + "'");
      Ignis.Result gc = ignis.run("gc");
      assertThat(gc.status()).isEqualTo(103);
      assertThat(gc.err()).contains("kept and retried by the next 'runtime gc'");
      assertThat(Ignis.netnsExists("ignis-" + id)).as("the sandbox the DEL still needs").isTrue();
    } finally {
      net.plugin("pmw", "exec /usr/lib/cni/portmap"); // so that cleanup can DEL, also when this fails
    }
    assertThat(ignis.ok("gc")).contains("deleted the attachment of VM " + id).contains("removed sandbox netns ignis-" + id);
    net.assertNoResidue();
    assertThat(Ignis.sh("iptables-save")).doesNotContain("--dport " + port + " ");
    ignis.ok("run", "--name", "other", "-p", port + ":80");
    assertThat(TestNetwork.fetch("127.0.0.1", port)).contains("<h1>other</h1>");
  }

  @Test
  void check_passesOnARunningVm_andGcStopsOneWhoseNetworkBroke() throws Exception {
    ignis.ok("run", "--name", "web", "-p", TestNetwork.freePort() + ":80");
    assertThat(ignis.ok("check")).isEqualTo("web: ok\n");
    Ignis.sh("ip", "-n", netnsOf("web"), "addr", "flush", "dev", "eth0");
    Ignis.Result broken = ignis.run("check", "web");
    assertThat(broken.status()).isEqualTo(104);
    assertThat(broken.err()).startsWith("error: web: network '" + net.name + "': plugin bridge failed (check):");
    assertThat(ignis.ok("gc")).contains("VM 'web' lost its network");
    assertThat(ignis.ok("ps", "-a")).contains("stopped");
    assertRefused(ignis.run("check", "web"), 102, "VM 'web' is stopped; only a running VM's network can be checked");
  }

  /** A 1.1.0 plugin: records every call, and does bridge's work for ADD, CHECK and DEL (as 1.0.0). */
  private Path recorder() throws Exception {
    Path log = work.resolve("rec.log");
    net.plugin("rec", """
        input=$(cat)
        echo "$CNI_COMMAND $CNI_CONTAINERID args=$CNI_ARGS $input" >> %s
        case "$CNI_COMMAND" in
          VERSION) echo '{"cniVersion":"1.1.0","supportedVersions":["0.4.0","1.0.0","1.1.0"]}'; exit 0 ;;
          GC|STATUS) exit 0 ;;
        esac
        out=$(echo "$input" | sed 's/"cniVersion":"1.1.0"/"cniVersion":"1.0.0"/g' | /usr/lib/cni/bridge)
        status=$?
        echo "$out" | sed 's/"cniVersion":"1.0.0"/"cniVersion":"1.1.0"/g'
        exit $status
        """.formatted(log));
    return log;
  }

  private String recorderNetwork(String versions, String more) {
    return """
        {"cniVersion":"1.1.0",%s"name":"%s","plugins":[
          {"type":"rec","bridge":"%s","isGateway":true,"ipMasq":true,
           "ipam":{"type":"host-local","subnet":"%s","dataDir":"%s"}}%s]}
        """.formatted(versions, net.name, net.bridge, net.subnet(), net.ipamDir, more);
  }

  @Test
  void a110Network_getsStatusCheckAndGc_withTheValidAttachments() throws Exception {
    Path log = recorder();
    net.write(recorderNetwork("", ""));
    ignis.ok("run", "--name", "web");
    String id = idOf("web");
    assertThat(ignis.ok("check", "web")).isEqualTo("web: ok\n");
    assertThat(ignis.ok("gc")).contains("cni: sent GC to network '" + net.name + "'");
    String calls = Files.readString(log);
    assertThat(calls.lines().map(l -> l.split(" ")[0])).containsSubsequence("STATUS", "ADD", "CHECK", "GC");
    assertThat(calls.lines().filter(l -> l.startsWith("GC"))).singleElement().asString()
        .contains("\"cni.dev/valid-attachments\":[{\"containerID\":\"" + id + "\",\"ifname\":\"eth0\"}]");
    ignis.ok("rm", "-f", "web");
    ignis.ok("gc");
    assertThat(Files.readString(log).lines().filter(l -> l.startsWith("GC")).reduce((a, b) -> b).orElseThrow())
        .contains("\"cni.dev/valid-attachments\":[]");
  }

  @Test
  void aForeignNetworkWhoseRoutesNameNoGateway_passesCheck_andGcKeepsItsVmRunning() throws Exception {
    // As flanneld's and many hand-written conflists do; bridge 1.1.1's CHECK alone would call it broken.
    net.write("""
        {"cniVersion":"0.4.0","name":"%s","plugins":[
          {"type":"bridge","bridge":"%s","isGateway":true,
           "ipam":{"type":"host-local","subnet":"%s","dataDir":"%s","routes":[{"dst":"10.0.0.0/8"}]}}]}
        """.formatted(net.name, net.bridge, net.subnet(), net.ipamDir));
    ignis.ok("run", "--name", "web");
    assertThat(ignis.ok("check", "web")).isEqualTo("web: ok\n");
    assertThat(ignis.ok("gc")).doesNotContain("lost its network");
    assertThat(ignis.ok("ps")).contains("web").contains("up ");
    ignis.ok("rm", "-f", "web");
  }

  @Test
  void netOpts_reachThePluginsAsCniArgs_andOnesCniCannotCarryAreRefusedAtCreate() throws Exception {
    Path log = recorder();
    net.write(recorderNetwork("", ""));
    ignis.ok("run", "--name", "web", "--net-opt", "K8S_POD_NAMESPACE=lab", "--net-opt", "K8S_POD_NAME=web");
    assertThat(Files.readString(log).lines().filter(l -> l.startsWith("ADD"))).singleElement().asString()
        .contains("K8S_POD_NAMESPACE=lab").contains("K8S_POD_NAME=web").contains("IgnoreUnknown=1");
    assertThat(ignis.ok("inspect", "web", "-o", "json")).contains("\"K8S_POD_NAME\": \"web\"");
    assertRefused(ignis.run("create", "--name", "bad", "--net-opt", "IP=10.0.0.5"), 100, "(use --ip and --mac)");
    assertRefused(ignis.run("create", "--name", "bad", "--net-opt", "k=a;b"), 100, "which CNI_ARGS cannot carry");
    assertThat(ignis.ok("ps", "-a")).doesNotContain("bad");
    ignis.ok("rm", "-f", "web");
  }

  @Test
  void cniVersions_picksTheHighestVersionEveryPluginOfTheListSpeaks() throws Exception {
    Path log = recorder();
    net.write(recorderNetwork("\"cniVersions\":[\"0.4.0\",\"1.0.0\",\"1.1.0\"],", ",{\"type\":\"firewall\"}"));
    ignis.ok("run", "--name", "web");
    String calls = Files.readString(log);
    assertThat(calls.lines().filter(l -> l.startsWith("ADD"))).singleElement().asString()
        .contains("\"cniVersion\":\"1.0.0\"");
    assertThat(calls).doesNotContain("STATUS").doesNotContain("GC");
  }

  @Test
  void theIpsCapability_getsCidrForm_asTheStaticIpamWantsIt() throws Exception {
    net.write("""
        {"cniVersion":"1.0.0","name":"%s","plugins":[
          {"type":"bridge","bridge":"%s","isGateway":true,"ipMasq":true,"capabilities":{"ips":true},
           "ipam":{"type":"static","routes":[{"dst":"0.0.0.0/0","gw":"%s"}]}}]}
        """.formatted(net.name, net.bridge, net.gateway()));
    assertRefused(ignis.run("run", "--name", "web", "--ip", net.prefix + "9"), 100,
        "give it: --ip " + net.prefix + "9/24");
    ignis.ok("run", "--name", "web", "--ip", net.prefix + "9/24");
    assertThat(ipOf("web")).isEqualTo(net.prefix + "9");
    assertThat(Ignis.sh("ping", "-c", "1", "-W", "2", net.prefix + "9")).contains("1 received");
  }

  @Test
  void livePortChanges_areRefused_whereTheInterfacePluginHandlesPortsToo() throws Exception {
    net.write("""
        {"cniVersion":"1.0.0","name":"%s","plugins":[
          {"type":"ptp","ipMasq":true,"capabilities":{"portMappings":true},
           "ipam":{"type":"host-local","subnet":"%s","dataDir":"%s"}},
          {"type":"portmap","capabilities":{"portMappings":true}}]}
        """.formatted(net.name, net.subnet(), net.ipamDir));
    int port = TestNetwork.freePort();
    ignis.ok("run", "--name", "web", "-p", port + ":80");
    assertRefused(ignis.run("port", "add", "web", TestNetwork.freePort() + ":81"), 103,
        "plugin ptp makes the VM's interface and also handles its ports, so they cannot change while the VM runs");
    assertThat(Ignis.sh("ping", "-c", "1", "-W", "2", ipOf("web"))).contains("1 received");
    assertThat(ignis.ok("port", "ls", "web")).contains(String.valueOf(port)).doesNotContain(":81");
  }

  @Test
  void libcni_checksARunningVm_andItsDelLeavesNoChainRuleLeaseOrVeth() throws Exception {
    Path peer = work.resolve("cni-peer");
    Ignis.sh(Path.of(System.getProperty("ignis.scripts"), "build-cni-peer").toString(), peer.toString());
    // No portmap: its CHECK fails for every IPv4 container in Debian's plugins (plugins issue 819).
    net.write(net.defaultShapedConflist().replace("{\"type\":\"portmap\",\"capabilities\":{\"portMappings\":true}},", ""));
    assertThat(Files.readString(net.confDir.resolve("10-test.conflist"))).doesNotContain("portmap");
    ignis.ok("run", "--name", "web");
    String netns = "/run/netns/" + netnsOf("web");
    String id = idOf("web");
    Path conf = net.confDir.resolve("10-test.conflist");
    ProcessBuilder check = peerCall(peer, "check", conf, id, netns);
    Process checked = check.start();
    assertThat(checked.waitFor()).as(new String(checked.getInputStream().readAllBytes())).isZero();
    Process deleted = peerCall(peer, "del", conf, id, netns).start();
    assertThat(deleted.waitFor()).as(new String(deleted.getInputStream().readAllBytes())).isZero();
    net.assertNoResidue();
    assertThat(Ignis.sh("iptables-save")).doesNotContain(id.substring(0, 12));
    ignis.ok("rm", "-f", "web");
  }

  @Test
  void aHostPortThatAPodOfAnotherRuntimeHolds_isRefused_evenWithNoListener() throws Exception {
    Path peer = work.resolve("cni-peer");
    Ignis.sh(Path.of(System.getProperty("ignis.scripts"), "build-cni-peer").toString(), peer.toString());
    int port = TestNetwork.freePort();
    String pod = "pod-" + Long.toHexString(System.nanoTime());
    String podNetns = "ignis-it-" + pod;
    Path conf = net.confDir.resolve("10-test.conflist");
    Ignis.sh("ip", "netns", "add", podNetns);
    try {
      ProcessBuilder add = peerCall(peer, "add", conf, pod, "/run/netns/" + podNetns);
      add.environment().put("CNI_PEER_PORTS", port + ":8080");
      Process added = add.start();
      assertThat(added.waitFor()).as(new String(added.getInputStream().readAllBytes())).isZero();

      assertRefused(ignis.run("run", "--name", "web", "-p", port + ":80"), 102, "host port " + port
          + "/tcp is still forwarded to container " + pod + " of network '" + net.name + "'");
      assertThat(ignis.ok("ps", "-a")).doesNotContain("web");
    } finally {
      peerCall(peer, "del", conf, pod, "/run/netns/" + podNetns).start().waitFor();
      Ignis.sh("ip", "netns", "delete", podNetns);
    }
    ignis.ok("run", "--name", "web", "-p", port + ":80");
    assertThat(TestNetwork.fetch("127.0.0.1", port)).contains("<h1>web</h1>");
  }

  @Test
  void twoConcurrentPortAdds_ofOneHostPort_toTwoVms_letExactlyOneWin() throws Exception {
    ignis.ok("run", "--name", "one");
    ignis.ok("run", "--name", "two");
    int port = TestNetwork.freePort();
    var pool = java.util.concurrent.Executors.newFixedThreadPool(2);
    try {
      var first = pool.submit(() -> ignis.run("port", "add", "one", port + ":80"));
      var second = pool.submit(() -> ignis.run("port", "add", "two", port + ":80"));
      List<Integer> statuses = List.of(first.get().status(), second.get().status());
      assertThat(statuses).containsExactlyInAnyOrder(0, 102);
    } finally {
      pool.shutdown();
    }
    // Both can still change their ports afterwards.
    ignis.ok("port", "add", "one", TestNetwork.freePort() + ":81");
    ignis.ok("port", "add", "two", TestNetwork.freePort() + ":81");
  }

  private ProcessBuilder peerCall(Path peer, String op, Path conf, String id, String netns) {
    ProcessBuilder builder = new ProcessBuilder(peer.toString(), op, conf.toString(), id, netns, "eth0")
        .redirectErrorStream(true);
    builder.environment().put("CNI_PATH", net.binDir + ":/usr/lib/cni");
    builder.environment().put("CNI_CACHE_DIR", net.cacheDir.toString());
    return builder;
  }
}
