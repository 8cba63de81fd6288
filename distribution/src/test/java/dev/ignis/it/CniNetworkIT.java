package dev.ignis.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The cni plugin with Debian's real CNI plugins, in real namespaces, on a network of the
 * test's own (name, bridge, subnet, conf, cache and IPAM dirs).
 */
@Tag("integration")
class CniNetworkIT extends NetworkedVmTest {

  @Test
  void twoVms_reachEachOtherAndTheHost_andAMappedPortReachesTheirWebServer() throws Exception {
    int webPort = TestNetwork.freePort();
    int dbPort = TestNetwork.freePort();
    ignis.ok("run", "--name", "web", "-p", webPort + ":80");
    ignis.ok("run", "--name", "db", "-p", "127.0.0.1:" + dbPort + ":80");
    String web = ipOf("web");
    String db = ipOf("db");
    assertThat(web).startsWith(net.prefix);
    assertThat(db).startsWith(net.prefix).isNotEqualTo(web);

    assertThat(Ignis.sh("ping", "-c", "1", "-W", "2", web)).contains("1 received");
    assertThat(Ignis.sh("ping", "-c", "1", "-W", "2", db)).contains("1 received");
    assertThat(TestNetwork.fetch("127.0.0.1", webPort)).contains("<h1>web</h1>");
    assertThat(TestNetwork.fetch(net.gateway(), webPort)).contains("<h1>web</h1>");
    // From inside each guest (the image's probes):
    assertThat(TestNetwork.fetch("127.0.0.1", webPort, "/cgi-bin/ping?" + db)).contains("1 packets received");
    assertThat(TestNetwork.fetch("127.0.0.1", dbPort, "/cgi-bin/fetch?" + web)).contains("<h1>web</h1>");
    assertThat(ignis.ok("ps")).contains("0.0.0.0:" + webPort + "->80/tcp");
  }

  @Test
  void ports_changeLiveWithoutTouchingTheIp() throws Exception {
    int first = TestNetwork.freePort();
    int second = TestNetwork.freePort();
    ignis.ok("run", "--name", "web", "-p", first + ":80");
    String ip = ipOf("web");
    assertThat(TestNetwork.fetch("127.0.0.1", first)).contains("<h1>web</h1>");

    ignis.ok("port", "add", "web", "127.0.0.1:" + second + ":80");
    assertThat(TestNetwork.fetch("127.0.0.1", second)).contains("<h1>web</h1>");
    ignis.ok("port", "rm", "web", String.valueOf(first));
    assertThat(TestNetwork.fetch("127.0.0.1", first)).doesNotContain("<h1>web</h1>");
    assertThat(ignis.ok("port", "ls", "web")).contains(String.valueOf(second)).doesNotContain(String.valueOf(first));
    assertThat(ipOf("web")).isEqualTo(ip);

    ignis.ok("run", "--name", "other");
    Ignis.Result clash = ignis.run("port", "add", "other", second + ":8080");
    assertThat(clash.status()).isEqualTo(102);
    assertThat(clash.err()).contains("host port " + second + "/tcp is already mapped to VM 'web'");
  }

  @Test
  void stopThenStart_keepsIpAndMac_andTheGuestUsesThem() throws Exception {
    int port = TestNetwork.freePort();
    ignis.ok("run", "--name", "keep", "-p", port + ":80");
    String ip = ipOf("keep");
    String mac = macOf("keep");
    ignis.ok("stop", "keep");
    ignis.ok("start", "keep");
    assertThat(ipOf("keep")).isEqualTo(ip);
    assertThat(macOf("keep")).isEqualTo(mac);
    assertThat(mac).contains(TestNetwork.fetch("127.0.0.1", port, "/cgi-bin/mac"));
    assertThat(Ignis.sh("ping", "-c", "1", "-W", "2", ip)).contains("1 received");
  }

  @Test
  void staticIp_isHonoured_andOneOutsideTheSubnetOrTakenIsRefusedWithoutResidue() throws Exception {
    String wanted = net.prefix + "77";
    ignis.ok("run", "--name", "fixed", "--ip", wanted);
    assertThat(ipOf("fixed")).isEqualTo(wanted);
    assertThat(ignis.ok("logs", "fixed")).contains("IGNIS-READY fixed " + wanted + "/24");
    assertThat(Ignis.sh("ping", "-c", "1", "-W", "2", wanted)).contains("1 received");

    Ignis.Result taken = ignis.run("run", "--name", "twin", "--ip", wanted);
    assertThat(taken.status()).isEqualTo(102);
    assertThat(taken.err().strip()).isEqualTo("error: --ip " + wanted + " is held by VM 'fixed' (its static IP); pick"
        + " another address or remove fixed");

    Ignis.Result outside = ignis.run("run", "--name", "stray", "--ip", "192.0.2.10");
    assertThat(outside.status()).isEqualTo(100);
    assertThat(outside.err().strip()).isEqualTo("error: --ip 192.0.2.10 is outside network '" + net.name + "' ("
        + net.subnet() + "); pick an address inside it");
    assertThat(ignis.ok("ps", "-a")).contains("fixed").doesNotContain("twin").doesNotContain("stray");
  }

  @Test
  void aHostPortInUse_isRefusedBeforeAnythingChanges() throws Exception {
    try (ServerSocket taken = new ServerSocket(0)) {
      Ignis.Result result = ignis.run("run", "--name", "web", "-p", taken.getLocalPort() + ":80");
      assertThat(result.status()).isEqualTo(102);
      assertThat(result.err().strip()).isEqualTo("error: host port " + taken.getLocalPort()
          + "/tcp on 0.0.0.0 is in use by another program; pick another host port");
    }
    assertThat(ignis.ok("ps", "-a")).doesNotContain("web");
  }

  @Test
  void aVm_takesTheCniNetworkItNames_keepsItAcrossStopAndStart_andAnUnknownNameCreatesNothing() throws Exception {
    TestNetwork second = new TestNetwork(java.nio.file.Files.createDirectories(work.resolve("second")));
    try {
      // Both networks in one conf dir; the test's own comes first by file name and is the default.
      Files.writeString(net.confDir.resolve("20-second.conflist"), second.defaultShapedConflist());
      int port = TestNetwork.freePort();
      ignis.ok("run", "--name", "first");
      ignis.ok("run", "--name", "picked", "--network", "cni:" + second.name, "-p", port + ":80");
      assertThat(ipOf("first")).startsWith(net.prefix);
      assertThat(ipOf("picked")).startsWith(second.prefix);
      assertThat(TestNetwork.fetch("127.0.0.1", port)).contains("<h1>picked</h1>");
      assertThat(ignis.ok("ps")).contains("cni:" + second.name);

      String ip = ipOf("picked");
      ignis.ok("stop", "picked");
      ignis.ok("start", "picked");
      assertThat(ipOf("picked")).isEqualTo(ip);
      assertThat(TestNetwork.fetch("127.0.0.1", port)).contains("<h1>picked</h1>");

      Ignis.Result unknown = ignis.run("run", "--name", "lost", "--network", "cni:nope");
      assertThat(unknown.status()).isNotZero();
      assertThat(unknown.err().strip()).startsWith("error: no CNI network named 'nope' in " + net.confDir)
          .contains(net.name).contains(second.name).doesNotContain("\n");
      assertThat(ignis.ok("ps", "-a")).doesNotContain("lost");

      ignis.ok("rm", "-f", "picked");
      second.assertNoResidue();
    } finally {
      ignis.cleanUp();
      second.close();
    }
  }

  @Test
  void aVmOnTwoNetworks_answersOnBoth_publishesFromTheOneNamed_keepsEveryCardAcrossStopAndStart_andLeavesNothing()
      throws Exception {
    TestNetwork second = new TestNetwork(java.nio.file.Files.createDirectories(work.resolve("second")));
    try {
      Files.writeString(net.confDir.resolve("20-second.conflist"), second.secondaryConflist());
      int port = TestNetwork.freePort();
      ignis.ok("run", "--name", "two", "--network", "cni", "--network", "cni:" + second.name + ",mac=02:00:00:00:0b:02",
          "-p", second.name + "/127.0.0.1:" + port + ":80");
      List<String> ips = guestIps("two");
      assertThat(ips).as("eth0 on the first network, eth1 on the second").hasSize(2);
      assertThat(ips.get(0)).startsWith(net.prefix);
      assertThat(ips.get(1)).startsWith(second.prefix);
      // The host reaches the guest on each bridge, and through the port published from the second.
      assertThat(TestNetwork.fetch(ips.get(0), 80)).contains("<h1>two</h1>");
      assertThat(TestNetwork.fetch(ips.get(1), 80)).contains("<h1>two</h1>");
      assertThat(TestNetwork.fetch("127.0.0.1", port)).contains("<h1>two</h1>");
      assertThat(ignis.ok("logs", "two")).contains("IGNIS-READY two " + ips.get(0) + "/24 " + ips.get(1) + "/24");
      assertThat(ignis.ok("ps")).contains("cni,cni:" + second.name);
      String macs = ignis.ok("ps", "-o", "json");
      assertThat(macs).contains("02:00:00:00:0b:02");

      ignis.ok("stop", "two");
      ignis.ok("start", "two");
      assertThat(guestIps("two")).as("every card keeps its addresses").isEqualTo(ips);
      assertThat(ignis.ok("ps", "-o", "json")).contains("02:00:00:00:0b:02");
      assertThat(TestNetwork.fetch(ips.get(1), 80)).contains("<h1>two</h1>");

      ignis.ok("rm", "-f", "two");
      net.assertNoResidue();
      second.assertNoResidue();

      // A second network whose ADD fails (its chained tuning plugin cannot set a sysctl that
      // does not exist) after the first attached: the first is undone, nothing is left on either.
      Files.writeString(net.confDir.resolve("30-broken.conflist"), """
          {"cniVersion":"1.0.0","name":"%s-broken","plugins":[
            {"type":"bridge","bridge":"%s","isGateway":true,
             "ipam":{"type":"host-local","subnet":"%s","dataDir":"%s"}},
            {"type":"tuning","sysctl":{"net.ipv4.conf.eth1.no_such_setting":"1"}}]}
          """.formatted(second.name, second.bridge, second.subnet(), second.ipamDir));
      Ignis.Result half = ignis.run("run", "--name", "half", "--network", "cni", "--network", "cni:" + second.name
          + "-broken");
      assertThat(half.status()).as(half.err()).isNotZero();
      assertThat(half.err().strip()).contains("no_such_setting").doesNotContain("\n");
      assertThat(ignis.ok("ps", "-a")).doesNotContain("half");
      net.assertNoResidue();
      second.assertNoResidue();
    } finally {
      ignis.cleanUp();
      second.close();
    }
  }

  @Test
  void aDualStackNetwork_givesGuestsBothFamilies_reachableBothWays_andThroughAnIpv6HostPort() throws Exception {
    net.write(net.dualStackConflist());
    int port = TestNetwork.freePort();
    ignis.ok("run", "--name", "a", "-p", "[::]:" + port + ":80");
    String wanted = net.prefix6 + "b";
    ignis.ok("run", "--name", "b", "--ip", wanted);
    List<String> a = guestIps("a");
    List<String> b = guestIps("b");
    assertThat(a).as("an address of each family").hasSize(2);
    assertThat(a.get(0)).startsWith(net.prefix);
    assertThat(a.get(1)).startsWith(net.prefix6);
    assertThat(b).contains(wanted);
    assertThat(ignis.ok("logs", "a")).contains(" " + a.get(1) + "/64");

    // Host and guests, both ways, over IPv6: ping and TCP.
    assertThat(Ignis.sh("ping", "-6", "-c", "1", "-W", "2", a.get(1))).contains("1 received");
    assertThat(TestNetwork.fetch("[" + a.get(1) + "]", 80)).contains("<h1>a</h1>");
    assertThat(TestNetwork.fetch("[" + wanted + "]", 80, "/cgi-bin/ping?" + a.get(1))).as("VM b pings VM a")
        .contains("1 packets received");
    assertThat(TestNetwork.fetch("[" + a.get(1) + "]", 80, "/cgi-bin/fetch?" + wanted)).as("VM a fetches VM b's page")
        .contains("<h1>b</h1>");
    assertThat(TestNetwork.fetch("[" + a.get(1) + "]", 80, "/cgi-bin/ping?" + net.prefix6 + "1"))
        .as("VM a pings its IPv6 gateway on the host").contains("1 packets received");
    // The IPv6 port through portmap, to the host's own address on the bridge.
    assertThat(TestNetwork.fetch("[" + net.prefix6 + "1]", port)).contains("<h1>a</h1>");
    // IPv6 loopback, which portmap cannot forward (its DNAT from ::1 never arrives): a proxy does,
    // added and removed live, started again by a start, stopped by rm.
    int loopbackPort = TestNetwork.freePort();
    ignis.ok("port", "add", "a", "[::1]:" + loopbackPort + ":80");
    assertThat(TestNetwork.fetch("[::1]", loopbackPort)).contains("<h1>a</h1>");
    assertThat(ignis.ok("port", "ls", "a")).containsPattern("::1 +" + loopbackPort + " +80 +tcp");
    assertThat(TestNetwork.fetch("[" + net.prefix6 + "1]", port)).as("its other port untouched").contains("<h1>a</h1>");
    assertThat(proxies()).as("one proxy for the port").isEqualTo(1);
    try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("::1"))) {
      Ignis.Result clash = ignis.run("port", "add", "a", "[::1]:" + taken.getLocalPort() + ":80");
      assertThat(clash.status()).as(clash.err()).isEqualTo(102);
      assertThat(clash.err().strip()).contains(String.valueOf(taken.getLocalPort())).doesNotContain("\n");
    }
    assertThat(proxies()).as("nothing started for the refused port").isEqualTo(1);
    ignis.ok("port", "rm", "a", "[::1]:" + loopbackPort + ":80");
    assertThat(TestNetwork.fetch("[::1]", loopbackPort)).isEqualTo("ConnectException");
    assertThat(proxies()).isZero();
    int udpAndTcp = TestNetwork.freePort();
    ignis.ok("port", "add", "b", "[::1]:" + udpAndTcp + ":80", "[::1]:" + udpAndTcp + ":80/udp");
    assertThat(proxies()).isEqualTo(2);
    assertThat(TestNetwork.fetch("[::1]", udpAndTcp)).contains("<h1>b</h1>");
    // A proxy that died: check names it; gc leaves the VM running.
    Ignis.sh("pkill", "-KILL", "-f", ignis.state + "/plugins/cni/proxies/.*/tcp-" + udpAndTcp + "-");
    Ignis.Result check = ignis.run("check", "b");
    assertThat(check.status()).isNotZero();
    assertThat(check.err()).contains("proxy of port [::1]:" + udpAndTcp + ":80/tcp");
    ignis.ok("gc");
    assertThat(ignis.ok("ps")).contains("b");

    ignis.ok("stop", "b");
    assertThat(proxies()).as("a stopped VM has no proxies").isZero();
    ignis.ok("start", "b");
    assertThat(guestIps("b")).as("its static IPv6 address, and its IPv4 one again").isEqualTo(b);
    assertThat(TestNetwork.fetch("[" + wanted + "]", 80)).contains("<h1>b</h1>");
    assertThat(proxies()).as("both proxies back").isEqualTo(2);
    assertThat(TestNetwork.fetch("[::1]", udpAndTcp)).contains("<h1>b</h1>");
    ignis.ok("check", "b");

    ignis.ok("rm", "-f", "a", "b");
    assertThat(proxies()).isZero();
    net.assertNoResidue();
  }

  /** How many port proxies of this test's state dir run (socat and the children it forked). */
  private long proxies() throws Exception {
    Process pgrep = new ProcessBuilder("pgrep", "-f", "^\\S*socat .*" + ignis.state + "/plugins/cni/proxies/")
        .redirectErrorStream(true).start();
    String out = new String(pgrep.getInputStream().readAllBytes());
    pgrep.waitFor();
    return out.lines().filter(l -> !l.isBlank()).count();
  }

  @Test
  void guestsResolveNamesThroughTheirNetworksNameservers_orTheirOwn() throws Exception {
    String resolver = net.prefix + "250";
    String other = net.prefix + "251";
    net.write("""
        {"cniVersion":"1.0.0","name":"%s","plugins":[
          {"type":"bridge","bridge":"%s","isGateway":true,"isDefaultGateway":true,"ipMasq":true,
           "dns":{"nameservers":["%s"]},
           "ipam":{"type":"host-local","subnet":"%s","rangeEnd":"%s","dataDir":"%s"}},
          {"type":"portmap","capabilities":{"portMappings":true}}]}
        """.formatted(net.name, net.bridge, resolver, net.subnet(), net.prefix + "200", net.ipamDir));
    ignis.ok("run", "--name", "b"); // makes the bridge the resolver joins
    String b = ipOf("b");
    try (TestResolver dns = TestResolver.start(work, net.bridge, List.of(resolver, other), 24,
        java.util.Map.of("b.ignis.test", b))) {
      // The network's nameserver, by DHCP (the guest boots while its network is attached).
      ignis.ok("run", "--name", "a");
      String answer = TestNetwork.fetch(ipOf("a"), 80, "/cgi-bin/resolve?b.ignis.test");
      assertThat(answer).as(answer).contains("nameserver " + resolver).contains("Name:");
      assertThat(answer.substring(answer.indexOf("Name:"))).as(answer).contains(b);
      assertThat(dns.questions()).contains("b.ignis.test A");
      assertThat(dnsOf("a")).isEqualTo("{\"servers\":[\"" + resolver + "\"],\"source\":\"network cni\"}");
      // Its own, on the kernel command line (booted once the network is attached).
      ignis.withEnv("IGNIS_BOOT_EARLY", "false").ok("run", "--name", "c", "--dns", other);
      ignis.withEnv("IGNIS_BOOT_EARLY", "true");
      String own = TestNetwork.fetch(ipOf("c"), 80, "/cgi-bin/resolve?b.ignis.test");
      assertThat(own).as(own).contains("nameserver " + other).doesNotContain("nameserver " + resolver).contains("Name:");
      assertThat(own.substring(own.indexOf("Name:"))).as(own).contains(b);
      assertThat(dnsOf("c")).isEqualTo("{\"servers\":[\"" + other + "\"],\"source\":\"--dns\"}");
      String unknown = TestNetwork.fetch(ipOf("c"), 80, "/cgi-bin/resolve?nosuch.ignis.test");
      assertThat(unknown).as(unknown).doesNotContain("Name:");
      assertThat(dns.questions()).contains("nosuch.ignis.test A");
    }
    Ignis.Result bad = ignis.run("create", "--name", "d", "--dns", "dns.example");
    assertThat(bad.status()).isEqualTo(100);
    assertThat(bad.err().strip()).isEqualTo("error: --dns 'dns.example' is not an IP address; give a nameserver's"
        + " address, such as 10.61.0.1 or fd00::1");
    ignis.ok("rm", "-f", "a", "b", "c");
    net.assertNoResidue();
  }

  /** The VM's nameservers and their source as {@code ps -o json} shows them, as compact JSON. */
  private String dnsOf(String vm) throws Exception {
    var views = new com.fasterxml.jackson.databind.ObjectMapper().readTree(ignis.ok("ps", "-a", "-o", "json"));
    for (var view : views) {
      if (view.path("name").asText().equals(vm)) {
        return view.path("dns").toString();
      }
    }
    return "no VM " + vm;
  }

  /** The guest addresses of every card of the VM, in order (from {@code ps -o json}'s nics). */
  private List<String> guestIps(String vm) throws Exception {
    var views = new com.fasterxml.jackson.databind.ObjectMapper().readTree(ignis.ok("ps", "-a", "-o", "json"));
    List<String> ips = new java.util.ArrayList<>();
    for (var view : views) {
      if (view.path("name").asText().equals(vm)) {
        view.path("nics").forEach(nic -> nic.path("ips").forEach(ip -> ips.add(ip.asText().replaceAll("/.*", ""))));
      }
    }
    return ips;
  }

  @Test
  void aPortOnAnIpv6HostAddress_ofAnIpv4OnlyNetwork_isRefusedAtRunCreateAndPortAdd_andNeverListed() throws Exception {
    int port = TestNetwork.freePort();
    Ignis.Result run = ignis.run("run", "--name", "six", "-p", "[::1]:" + port + ":80");
    assertThat(run.status()).isEqualTo(100);
    assertThat(run.err().strip()).startsWith("error: port [::1]:" + port + ":80/tcp: host address ::1 is IPv6, but network '"
        + net.name + "' gives VMs only IPv4 addresses (" + net.subnet() + ")").doesNotContain("\n");
    assertThat(ignis.ok("ps", "-a")).doesNotContain("six");

    ignis.ok("run", "--name", "web", "-p", "127.0.0.1:" + TestNetwork.freePort() + ":80");
    Ignis.Result add = ignis.run("port", "add", "web", "[::1]:" + port + ":80");
    assertThat(add.status()).isEqualTo(100);
    assertThat(add.err().strip()).startsWith("error: port [::1]:" + port + ":80/tcp: host address ::1 is IPv6, but VM 'web'"
        + " has only IPv4 addresses (" + ipOf("web") + "/24)");
    assertThat(ignis.ok("port", "ls", "web")).doesNotContain(String.valueOf(port));

    ignis.ok("create", "--name", "later");
    assertThat(ignis.run("port", "add", "later", "[::1]:" + port + ":80").status()).isEqualTo(100);
    assertThat(ignis.ok("port", "ls", "later")).doesNotContain(String.valueOf(port));
  }

  @Test
  void anotherConflistWithTuning_worksUnchanged() throws Exception {
    net.write("""
        {"cniVersion":"1.0.0","name":"%s","plugins":[
          {"type":"bridge","bridge":"%s","isGateway":true,
           "ipam":{"type":"host-local","ranges":[[{"subnet":"%s"}]],"dataDir":"%s"}},
          {"type":"tuning","sysctl":{"net.ipv4.conf.eth0.arp_ignore":"2"}}]}
        """.formatted(net.name, net.bridge, net.subnet(), net.ipamDir));
    ignis.ok("run", "--name", "tuned");
    assertThat(ipOf("tuned")).startsWith(net.prefix);
    assertThat(Ignis.sh("ip", "netns", "exec", netnsOf("tuned"), "cat", "/proc/sys/net/ipv4/conf/eth0/arp_ignore").strip())
        .isEqualTo("2");
    Ignis.Result ports = ignis.run("run", "--name", "noports", "-p", TestNetwork.freePort() + ":80");
    assertThat(ports.status()).isEqualTo(103);
    assertThat(ports.err()).contains("has no plugin with the portMappings capability");
  }

  @Test
  void badConfigsAndPlugins_failWithOneLineAndLeaveNothing() throws Exception {
    net.write("{ \"cniVersion\": ");
    assertBadRun(100, "is not valid JSON");
    net.write("{\"cniVersion\":\"0.4.0\",\"name\":\"" + net.name + "\",\"plugins\":[]}");
    assertBadRun(100, "has no plugins");
    net.write("{\"cniVersion\":\"7.0.0\",\"name\":\"" + net.name + "\",\"plugins\":[{\"type\":\"bridge\"}]}");
    assertBadRun(100, "cniVersion '7.0.0'");
    net.write("{\"cniVersion\":\"0.4.0\",\"name\":\"" + net.name + "\",\"plugins\":[{\"type\":\"/bin/sh\"}]}");
    assertBadRun(100, "must be a plain binary name");
    net.write(net.defaultShapedConflist().replace("\"firewall\"", "\"no-such-plugin\""));
    assertBadRun(103, "CNI plugin 'no-such-plugin' not found in " + net.binDir + ":/usr/lib/cni");

    script("garbage", "[ \"$CNI_COMMAND\" = ADD ] && { echo 'this is not json'; exit 3; }; exit 0");
    net.write(net.defaultShapedConflist().replace("\"firewall\"", "\"garbage\""));
    assertBadRun(104, "plugin garbage failed (add): exit status 3 without a CNI error; it printed: this is not json");

    script("hang", "[ \"$CNI_COMMAND\" = ADD ] && sleep 60; exit 0");
    ignis.withEnv("IGNIS_PLUGIN_CNI_TIMEOUT", "2");
    net.write(net.defaultShapedConflist().replace("\"firewall\"", "\"hang\""));
    assertBadRun(103, "plugin hang failed (add): '" + net.binDir.resolve("hang") + "' did not finish within 2 s");
  }

  private void assertBadRun(int status, String message) throws Exception {
    Ignis.Result result = ignis.run("run", "--name", "bad");
    assertThat(result.status()).as(result.err()).isEqualTo(status);
    assertThat(result.err().strip()).startsWith("error: ").contains(message).doesNotContain("\n");
    assertThat(ignis.ok("ps", "-a")).doesNotContain("bad");
    if (Files.isDirectory(Path.of("/run/netns"))) { // absent on a host where no netns was ever made
      assertThat(Files.list(Path.of("/run/netns")).map(p -> p.getFileName().toString()))
          .noneMatch(n -> Files.exists(ignis.state.resolve("netns").resolve(n)));
    }
    net.assertNoResidue();
  }

  private void script(String name, String body) throws Exception {
    net.plugin(name, "cat >/dev/null\n" + body);
  }

  @Test
  void killedBetweenAddAndTheCacheWrite_gcLeavesNoLeaseVethCacheEntryOrRule() throws Exception {
    // The last plugin of the chain runs the real firewall, then kills the runtime (kill -9)
    // before it can write the final cache entry or its VM record.
    script("firewall", "");
    Files.writeString(net.binDir.resolve("firewall"), """
        #!/bin/sh
        out=$(/usr/lib/cni/firewall)
        status=$?
        [ "$CNI_COMMAND" = ADD ] && kill -9 $PPID
        echo "$out"
        exit $status
        """);
    int port = TestNetwork.freePort();
    Ignis.Result killed = ignis.launch("run", "--name", "crash", "-p", port + ":80");
    assertThat(killed.status()).isEqualTo(137);
    assertThat(ignis.ok("ps", "-a")).contains("crash").contains("interrupted");
    assertThat(Ignis.sh("iptables-save")).contains(net.prefix);

    Files.delete(net.binDir.resolve("firewall")); // the real one from now on
    String report = ignis.ok("gc");
    assertThat(report).contains("finished the interrupted start of VM 'crash'");
    net.assertNoResidue();
    assertThat(ignis.ok("ps", "-a")).contains("stopped");
    ignis.ok("start", "crash");
    ignis.ok("rm", "-f", "crash");
    net.assertNoResidue();
  }

  @Test
  void bootstrap_reportsWhatItCheckedAndInstallsTheDefaultNetworkIntoAnEmptyConfDir() throws Exception {
    Files.delete(net.confDir.resolve("10-test.conflist"));
    String report = ignis.ok("bootstrap");
    assertThat(report).contains("installed the default network 10-ignite.conflist")
        .contains("plugin bridge: /usr/lib/cni/bridge (speaks 0.4.0)").contains("plugin portmap")
        .contains("plugin firewall").contains("iptables");
    assertThat(report).as("the runtime's own needs, first").startsWith("ok    qemu: QEMU emulator version")
        .contains("ok    accelerator: ").contains("ok    default image: built in ").contains("ok    state dir: ");
    assertThat(net.confDir.resolve("10-ignite.conflist")).isRegularFile();
    Files.delete(net.confDir.resolve("10-ignite.conflist")); // never use the host's default network here
    TimeUnit.MILLISECONDS.sleep(1);
  }
}
