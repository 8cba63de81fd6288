package dev.ignis.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The docker-bridge plugin against a real dockerd of the test's own ({@link TestDocker}):
 * real VMs in sandbox containers on Docker's default bridge, ports through Docker's port
 * mapping, crash and gc, and the bad input the plugin must refuse cleanly.
 */
@Tag("integration")
class DockerBridgeIT {

  private static final Pattern VM_ID = Pattern.compile("^[0-9a-f]{16}$", Pattern.MULTILINE);

  @TempDir static Path dockerWork;
  static TestDocker docker;

  @TempDir Path work;
  Ignis ignis;

  @BeforeAll
  static void startDocker() throws Exception {
    docker = TestDocker.start(dockerWork);
  }

  @AfterAll
  static void stopDocker() throws Exception {
    if (docker != null) {
      docker.close();
    }
  }

  @BeforeEach
  void setUp() throws Exception {
    ignis = docker.configure(new Ignis(work).withAllPlugins());
  }

  @AfterEach
  void tearDown() throws Exception {
    ignis.cleanUp();
    assertThat(docker.containers()).as("containers left").noneMatch(name -> name.matches("ignis-[0-9a-f]{16}"));
    Path records = ignis.state.resolve("plugins/docker-bridge/sandboxes");
    if (Files.isDirectory(records)) {
      try (var files = Files.list(records)) {
        assertThat(files).as("sandbox records left").isEmpty();
      }
    }
    assertThat(Ignis.sh("ps", "-eo", "args")).as("processes of this test").doesNotContain(work.toString());
  }

  private Ignis.Result db(String... args) {
    String[] all = new String[args.length + 2];
    all[0] = "--network-plugin";
    all[1] = "docker-bridge";
    System.arraycopy(args, 0, all, 2, args.length);
    return ignis.run(all);
  }

  @Test
  void bootstrap_checksTheDaemonAndBuildsTheSandboxImageOffline() throws Exception {
    Ignis.Result result = db("bootstrap");

    assertThat(result.status()).as(result.out() + result.err()).isZero();
    assertThat(result.out()).contains("ok    Docker at " + docker.host() + ": Docker 20.10")
        .contains("using 1.41")
        .contains("ok    default bridge network: docker0, " + docker.prefix + "0/24 via " + docker.gateway())
        .containsPattern("ok    sandbox image ignis/sandbox:1: (built from /bin/busybox|present)");
    assertThat(result.err().lines().filter(l -> l.contains("deprecated"))).as("one deprecation line").hasSize(1);
    assertThat(docker.docker("image", "inspect", "-f", "{{.Size}}", "ignis/sandbox:1").text())
        .as("a busybox-sized image").matches("\\d{7}");

    // Through ignisd, which keeps one plugin for every command: each command still says it once.
    TestDaemon daemon = new TestDaemon(ignis);
    try {
      for (int command = 0; command < 2; command++) {
        Ignis.Result viaDaemon = daemon.client("--network-plugin", "docker-bridge", "bootstrap");
        assertThat(viaDaemon.status()).as(viaDaemon.err()).isZero();
        assertThat(viaDaemon.err().lines().filter(l -> l.contains("deprecated"))).as("one deprecation line through"
            + " ignisd, command %d", command + 1).hasSize(1);
      }
    } finally {
      daemon.stop();
    }

    Ignis quiet = ignis.withEnv("IGNIS_PLUGIN_DOCKER_BRIDGE_DEPRECATION_NOTICE", "false");
    assertThat(quiet.run("--network-plugin", "docker-bridge", "bootstrap").err()).doesNotContain("deprecated");
  }

  @Test
  void vmOnTheDefaultBridge_getsDockersAddressGatewayAndPortMapping_andKeepsItsMacAcrossRestarts() throws Exception {
    int published = TestNetwork.freePort(); // never a fixed port: a user's VM may hold it on this host
    int changed = TestNetwork.freePort();
    Ignis.Result run = db("run", "--name", "web", "-p", published + ":80");
    assertThat(run.status()).as(run.err()).isZero();
    String id = run.out().strip();
    assertThat(run.err().lines().filter(l -> l.contains("deprecated"))).as("one deprecation line").hasSize(1);

    String container = "ignis-" + id;
    assertThat(docker.containers()).contains(container);
    assertThat(docker.docker("inspect", "-f", "{{index .Config.Labels \"dev.ignis.vm.id\"}}"
        + " {{index .Config.Labels \"dev.ignis.vm.name\"}}", container).text()).isEqualTo(id + " web");
    assertThat(docker.fetch(published, "/")).as("the VM's port 80 through Docker's port mapping").contains("<h1>web</h1>");

    String inspect = ignis.ok("inspect", "web");
    String bridgeGateway = docker.docker("network", "inspect", "-f", "{{(index .IPAM.Config 0).Gateway}}", "bridge")
        .text();
    String containerIp = docker.docker("inspect", "-f", "{{.NetworkSettings.IPAddress}}", container).text();
    assertThat(inspect).contains("\"gateway\": \"" + bridgeGateway + "\"")
        .contains("\"address\": \"" + containerIp + "/24\"")
        .contains("\"netnsPath\": \"" + docker.docker("inspect", "-f", "{{.NetworkSettings.SandboxKey}}", container)
            .text() + "\"");
    String mac = field(inspect, "mac");
    assertThat(docker.docker("inspect", "-f", "{{.NetworkSettings.MacAddress}}", container).text()).isEqualTo(mac);
    assertThat(docker.fetch(published, "/cgi-bin/mac")).as("the guest's own MAC").contains(mac);
    assertThat(docker.fetch(published, "/cgi-bin/ping?" + bridgeGateway)).as("guest reaches Docker's gateway")
        .contains("1 packets received");

    Ignis.Result change = ignis.run("port", "add", "web", changed + ":80");
    assertThat(change.status()).isEqualTo(103);
    assertThat(change.err().strip()).endsWith("docker-bridge cannot change ports of a running VM; stop and start it"
        + " ('runtime stop web', then 'runtime start web'), its new ports apply then");
    assertThat(ignis.ok("port", "ls", "web")).contains(String.valueOf(published)).doesNotContain(String.valueOf(changed));
    assertThat(ignis.run("port", "add", "web", published + ":80").status()).as("the same set is fine").isZero();

    ignis.ok("stop", "web");
    assertThat(docker.containers()).doesNotContain(container);
    ignis.ok("port", "add", "web", changed + ":80");
    ignis.ok("start", "web");
    assertThat(docker.fetch(changed, "/")).contains("<h1>web</h1>");
    assertThat(docker.fetch(changed, "/cgi-bin/mac")).as("same MAC after a restart").contains(mac);

    ignis.ok("rm", "-f", "web");
    assertThat(docker.containers()).doesNotContain(container);
  }

  @Test
  void gc_finishesAStartKilledMidway_andRemovesOnlyTheSandboxesItMade() throws Exception {
    ignis.ok("--network-plugin", "docker-bridge", "bootstrap");
    String foreign = "ignis-0123456789abcdef";
    assertThat(docker.docker("create", "--name", foreign, "ignis/sandbox:1", "/bin/sleep", "9").status()).isZero();
    assertThat(docker.docker("create", "--name", "other-install", "--label", "dev.ignis.owner=/elsewhere",
        "--label", "dev.ignis.vm.id=fedcba9876543210", "ignis/sandbox:1", "/bin/sleep", "9").status()).isZero();
    try {
      Process start = ignis.spawn("--network-plugin", "docker-bridge", "run", "--name", "doomed", "-p",
          TestNetwork.freePort() + ":80");
      String sandbox = awaitSandbox(start);
      start.descendants().forEach(ProcessHandle::destroyForcibly);
      start.destroyForcibly().waitFor();
      assertThat(ignis.ok("ps", "-a")).contains("doomed");

      Ignis.Result gc = ignis.run("gc");
      assertThat(gc.status()).as(gc.err()).isZero();
      assertThat(gc.out()).contains("finished the interrupted start of VM 'doomed'");
      assertThat(docker.containers()).doesNotContain(sandbox).contains(foreign, "other-install");
      assertThat(ignis.ok("ps", "-a")).contains("doomed").contains("stopped");

      // A sandbox removed behind Ignis' back: gc stops the VM, whose netns went with it.
      ignis.ok("start", "doomed");
      String id = field(ignis.ok("inspect", "doomed"), "id");
      assertThat(docker.docker("rm", "-f", "ignis-" + id).status()).isZero();
      gc = ignis.run("gc");
      assertThat(gc.out()).contains("VM 'doomed' lost its network (plugin docker-bridge finds its sandbox gone)");
      assertThat(ignis.ok("ps", "-a")).contains("stopped");
      assertThat(Ignis.sh("ps", "-eo", "args")).as("its QEMU").doesNotContain(ignis.state.resolve("vms").resolve(id)
          .toString());

      // A sandbox whose VM record is gone altogether (state lost): gc removes it by its labels.
      ignis.ok("start", "doomed");
      loseVmRecord(ignis.state.resolve("vms").resolve(id));
      gc = ignis.run("gc");
      assertThat(gc.out()).contains("removed sandbox container ignis-" + id + " of VM doomed");
      assertThat(docker.containers()).doesNotContain("ignis-" + id).contains(foreign, "other-install");
    } finally {
      docker.docker("rm", "-f", foreign, "other-install");
    }
  }

  @Test
  void badInput_isOneLineWithNothingLeftBehind() throws Exception {
    ignis.ok("--network-plugin", "docker-bridge", "bootstrap");
    Path dead = Files.createDirectories(work.resolve("dead"));

    Ignis.Result missing = ignis.withEnv("IGNIS_PLUGIN_DOCKER_BRIDGE_HOST", "unix://" + dead.resolve("none.sock"))
        .run("--network-plugin", "docker-bridge", "run", "--name", "a");
    assertThat(missing.status()).isEqualTo(103);
    assertThat(errorLine(missing)).isEqualTo("error: Docker's socket " + dead.resolve("none.sock") + " does not"
        + " exist: is Docker installed and running? (another daemon: set DOCKER_HOST or plugin.docker-bridge.host)");

    try (var server = java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
      server.bind(java.net.UnixDomainSocketAddress.of(dead.resolve("dead.sock"))); // the file outlives the socket
    }
    Ignis.Result refused = ignis.withEnv("IGNIS_PLUGIN_DOCKER_BRIDGE_HOST", "unix://" + dead.resolve("dead.sock"))
        .run("--network-plugin", "docker-bridge", "run", "--name", "b");
    assertThat(errorLine(refused)).isEqualTo("error: Docker is not running at unix://" + dead.resolve("dead.sock")
        + " (connection refused); start dockerd, or point DOCKER_HOST or plugin.docker-bridge.host at a running one");
    docker.configure(ignis);

    Ignis.Result tooNew = ignis.withEnv("IGNIS_PLUGIN_DOCKER_BRIDGE_API_VERSION", "1.50")
        .run("--network-plugin", "docker-bridge", "run", "--name", "c");
    assertThat(tooNew.status()).isEqualTo(100);
    assertThat(errorLine(tooNew)).matches("error: Docker 20\\.10\\S* at unix://\\S+ speaks Engine API 1\\.12 to 1\\.41,"
        + " not the configured 1\\.50; change plugin.docker-bridge.api-version or remove it");
    ignis.withEnv("IGNIS_PLUGIN_DOCKER_BRIDGE_API_VERSION", "");

    Ignis.Result shared = ignis.run("run", "--name", "g", "--network", "docker-bridge", "--network", "cni");
    assertThat(shared.status()).isEqualTo(100);
    assertThat(errorLine(shared)).isEqualTo("error: network plugin 'docker-bridge' brings its own sandbox, which no"
        + " other network can share; give a VM on it no other --network");

    Ignis.Result staticIp = db("run", "--name", "d", "--ip", docker.prefix + "9");
    assertThat(staticIp.status()).isEqualTo(103);
    assertThat(staticIp.err()).contains("Docker's default bridge assigns addresses itself; use --network-plugin cni");

    int taken = TestNetwork.freePort();
    Process listener = docker.listen(taken);
    try {
      Ignis.Result busy = db("run", "--name", "e", "-p", taken + ":80");
      assertThat(busy.status()).isEqualTo(102);
      assertThat(errorLine(busy)).isEqualTo("error: host port " + taken + " is already in use on this host; pick another"
          + " port for -p");
    } finally {
      listener.destroyForcibly().waitFor();
    }

    String id = db("create", "--name", "f").out().strip();
    assertThat(id).matches(VM_ID);
    String foreign = "ignis-" + id;
    assertThat(docker.docker("create", "--name", foreign, "ignis/sandbox:1", "/bin/sleep", "9").status()).isZero();
    try {
      Ignis.Result clash = ignis.run("start", "f");
      assertThat(clash.status()).isEqualTo(102);
      assertThat(errorLine(clash)).startsWith("error: a container named " + foreign + " that Ignis did not create"
          + " exists in Docker (id ").endsWith("); rename or remove it, then start VM 'f' again");
      assertThat(docker.containers()).as("the foreign container is kept").contains(foreign);
    } finally {
      docker.docker("rm", "-f", foreign);
    }

    assertThat(ignis.ok("ps", "-a")).doesNotContain("running").doesNotContain("starting");
    for (Ignis.Result result : List.of(missing, refused, tooNew, shared, staticIp)) {
      assertThat(result.err().lines().filter(l -> l.startsWith("error:"))).hasSize(1);
      assertThat(result.err()).doesNotContain("\tat ");
    }
  }

  @Test
  void permissionDeniedOnTheSocket_isNamed() throws Exception {
    Ignis.sh("chmod", "711", dockerWork.toString(), docker.socket.getParent().toString());
    Ignis.sh("chmod", "660", docker.socket.toString());
    Path state = Files.createDirectories(work.resolve("nobody"));
    Ignis.sh("chown", "-R", "65534:65534", state.toString());
    Ignis.sh("chmod", "755", work.toString());
    ProcessBuilder builder = new ProcessBuilder("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
        Ignis.DIST.resolve("bin/runtime").toString(), "--network-plugin", "docker-bridge", "bootstrap");
    builder.environment().putAll(ignis.environment());
    builder.environment().put("IGNIS_STATE_DIR", state.toString());
    builder.environment().put("HOME", state.toString());
    builder.redirectErrorStream(true);
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes());
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();

    assertThat(process.exitValue()).as(output).isNotZero();
    assertThat(output).contains("FAIL  Docker at " + docker.host() + ": permission denied on Docker's socket "
        + docker.socket + "; run as root or as a member of its group");
  }

  /** Waits until the spawned start has made its sandbox container; returns its name. */
  private String awaitSandbox(Process start) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      for (String name : docker.containers()) {
        if (name.matches("ignis-[0-9a-f]{16}") && !name.equals("ignis-0123456789abcdef")) {
          return name;
        }
      }
      assertThat(start.isAlive()).as("the start runs: %s", Files.readString(ignis.state.resolve("launch.err"))).isTrue();
      Thread.sleep(20);
    }
    throw new AssertionError("no sandbox container within 60 s");
  }

  /** The one error line of a failed command (a deprecation note may precede it). */
  private static String errorLine(Ignis.Result result) {
    List<String> errors = result.err().lines().filter(l -> l.startsWith("error:")).toList();
    assertThat(errors).as(result.err()).hasSize(1);
    return errors.get(0);
  }

  private static String field(String json, String name) {
    Matcher matcher = Pattern.compile("\"" + name + "\": \"([^\"]+)\"").matcher(json);
    assertThat(matcher.find()).as(name + " in " + json).isTrue();
    return matcher.group(1);
  }

  /** Deletes a VM's record dir as lost state would, after killing the VM's QEMU (the test owns it). */
  private static void loseVmRecord(Path vmDir) throws Exception {
    Ignis.killProcessesNaming(vmDir);
    try (var files = Files.walk(vmDir)) {
      for (Path file : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(file);
      }
    }
  }
}
