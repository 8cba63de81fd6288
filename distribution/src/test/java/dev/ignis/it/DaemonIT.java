package dev.ignis.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * ignisd as its users meet it: the thin client starts it on demand and gets the answers a
 * process of its own gives; it supervises real VMs, survives being killed without losing them,
 * rolls back a cancelled run, checks its peers, and serves the API to curl.
 */
@Tag("integration")
class DaemonIT extends NetworkedVmTest {

  TestDaemon daemon;

  @BeforeEach
  void daemon() {
    daemon = new TestDaemon(ignis);
  }

  @AfterEach
  void stopDaemon() throws Exception {
    daemon.stop(); // before the base class removes the VMs and looks for this test's processes
  }

  @Test
  void theThinClient_startsIgnisdOnDemand_andAnswersAsAProcessOfItsOwn() throws Exception {
    assertThat(daemon.pid()).as("no daemon before the first command").isNegative();
    assertThat(daemon.client("__complete", "st").out()).contains("start\t").contains("stop\t");
    assertThat(daemon.pid()).as("a TAB starts no daemon").isNegative();
    int port = TestNetwork.freePort();
    String id = daemon.ok("run", "--name", "same", "-p", "127.0.0.1:" + port + ":80").strip();
    assertThat(daemon.pid()).as("ignisd started on demand").isPositive();
    assertThat(TestNetwork.fetch("127.0.0.1", port)).contains("Ignis VM same");
    // Every command, good or bad, gives the same output and status both ways. Relative paths
    // are the caller's (ignisd has a working directory of its own).
    List<List<String>> commands = List.of(
        List.of("ps", "-a", "-o", "json"), List.of("inspect", "same"), List.of("port", "ls", "same"),
        List.of("version"), List.of("inspect", "nosuch"), List.of("stop", "nosuch"), List.of("sotp"),
        List.of("run", "--kernel", "rel/vmlinux", "--initrd", "rel/initrd"), List.of("inspect", id.substring(0, 6)),
        List.of("plugins", "-o", "json"), List.of("start", "same"),
        List.of("--state-dir", ignis.state.toString(), "ps", "-o", "json"),
        List.of("__complete", "inspect", "sa"), List.of("__complete", "ps", "--output="));
    for (List<String> command : commands) {
      String[] args = command.toArray(String[]::new);
      Ignis.Result viaDaemon = daemon.client(args);
      Ignis.Result own = daemon.inProcess(args);
      assertThat(viaDaemon).as("runtime %s through ignisd vs in its own process", command).isEqualTo(own);
    }
    assertThat(daemon.client("__complete", "inspect", "sa").out()).as("a TAB, answered by ignisd").isEqualTo("same\t\n");
    // Settings come from each command's environment, not from the daemon's.
    Ignis.Result ownSettings = daemon.launch(Map.of("IGNIS_DAEMON", "on", "IGNIS_BOOT_TIMEOUT", "soon"), "run");
    assertThat(ownSettings).isEqualTo(daemon.launch(Map.of("IGNIS_DAEMON", "off", "IGNIS_BOOT_TIMEOUT", "soon"), "run"));
    assertThat(ownSettings.err().strip()).as("one line, no report of the wiring").isEqualTo("error: setting boot.timeout"
        + " (IGNIS_BOOT_TIMEOUT) is 'soon'; use a number of seconds from 1 to 9999");
    Ignis.Result badEarly = daemon.launch(Map.of("IGNIS_DAEMON", "on", "IGNIS_BOOT_EARLY", "off"), "run");
    assertThat(badEarly.err().strip()).isEqualTo("error: setting boot.early (IGNIS_BOOT_EARLY) is 'off'; use true or"
        + " false");
    assertThat(badEarly.status()).isEqualTo(ownSettings.status()).isNotZero();
    assertThat(daemon.client("run", "--kernel", "rel/vmlinux", "--initrd", "rel/initrd").err())
        .as("a relative path is the caller's").contains(Path.of("").toAbsolutePath().resolve("rel/vmlinux").toString());
    Ignis.Result status = daemon.client("daemon", "status");
    assertThat(status.out()).contains("ignisd: running, pid " + daemon.pid()).contains(ignis.state.toString());
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(daemon.socket().getParent())))
        .as("the daemon's dir is its owner's only").isEqualTo("rwx------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(daemon.socket())))
        .as("its socket too").isEqualTo("rw-------");
  }

  @Test
  void aVmWhoseQemuDies_isRecordedExitedWithinASecond_andReportedAsAnEvent() throws Exception {
    daemon.ok("run", "--name", "watched");
    Process events = new ProcessBuilder("curl", "-sSN", "--unix-socket", daemon.socket().toString(),
        "http://ignisd/v1/events").redirectOutput(ignis.state.resolve("events.ndjson").toFile()).start();
    try {
      Thread.sleep(300); // subscribed
      long qemu = Long.parseLong(Files.readString(vmDir("watched").resolve("qemu.pid")).strip());
      long killed = System.nanoTime();
      Ignis.sh("kill", "-9", String.valueOf(qemu));
      while (!Files.readString(vmDir("watched").resolve("vm.json")).contains("\"EXITED\"")) {
        assertThat(System.nanoTime() - killed).as("exit recorded in time").isLessThan(TimeUnit.SECONDS.toNanos(3));
        Thread.sleep(10);
      }
      long noticedMillis = (System.nanoTime() - killed) / 1_000_000;
      System.out.println("measured: QEMU exit recorded by ignisd after " + noticedMillis + " ms");
      assertThat(noticedMillis).as("exit noticed within 1 s").isLessThanOrEqualTo(1000);
      Thread.sleep(300);
      assertThat(Files.readString(ignis.state.resolve("events.ndjson")))
          .contains("\"name\":\"watched\",\"status\":\"exited\",\"previous\":\"running\"");
      assertThat(daemon.ok("ps")).contains("watched").contains("exited");
    } finally {
      events.destroy();
    }
  }

  @Test
  void ignisdKilled_leavesItsVmServing_andTheNextOneAdoptsIt() throws Exception {
    int port = TestNetwork.freePort();
    daemon.ok("run", "--name", "orphan", "-p", "127.0.0.1:" + port + ":80");
    long first = daemon.pid();
    daemon.kill9();
    assertThat(TestNetwork.fetch("127.0.0.1", port)).as("served with no daemon").contains("Ignis VM orphan");
    assertThat(daemon.ok("ps")).as("the next command's daemon sees it running").contains("orphan").contains("up ");
    assertThat(daemon.pid()).isPositive().isNotEqualTo(first);
    long qemu = Long.parseLong(Files.readString(vmDir("orphan").resolve("qemu.pid")).strip());
    Ignis.sh("kill", "-9", String.valueOf(qemu));
    Thread.sleep(1000);
    assertThat(Files.readString(vmDir("orphan").resolve("vm.json"))).as("the adopted VM is supervised")
        .contains("\"EXITED\"");
    daemon.ok("daemon", "stop");
    assertThat(daemon.pid()).as("stopped").isNegative();
    assertThat(Files.exists(daemon.socket())).as("its socket is gone").isFalse();
  }

  @Test
  void ctrlC_duringRun_rollsItBack_andLeavesNothing() throws Exception {
    daemon.ok("version"); // the daemon runs
    java.util.Set<String> othersNetns = sandboxes(); // a user's VMs may run on this host
    // Spread over the whole run: before the sandbox, during QEMU's launch and the attach, and
    // around the moment the VM is recorded running (while ignisd's supervisor looks at it).
    for (long delayMillis : new long[] {300, 700, 1200, 1700, 2200, 2700}) {
      Process run = daemon.spawn(Map.of("IGNIS_DAEMON", "on"), "run", "--name", "cancelled", "-p",
          "127.0.0.1:" + TestNetwork.freePort() + ":80");
      Thread.sleep(delayMillis);
      // The lean kernel may have the VM up before the later delays: then there is no one to signal.
      Ignis.sh("sh", "-c", "kill -INT " + run.pid() + " 2>/dev/null; true");
      assertThat(run.waitFor(60, TimeUnit.SECONDS)).as("the client ended").isTrue();
      String err = new String(run.getErrorStream().readAllBytes());
      if (run.exitValue() == 0) {
        daemon.ok("rm", "-f", "cancelled"); // it was up before the signal came
        continue;
      }
      assertThat(run.exitValue()).as("cancelled after %d ms: %s", delayMillis, err).isEqualTo(130);
      assertThat(daemon.ok("ps", "-a")).as("no VM after a cancel").doesNotContain("cancelled");
      try (var dirs = Files.list(ignis.state.resolve("vms"))) {
        List<Path> left = dirs.filter(dir -> !dir.getFileName().toString().startsWith(".")).toList();
        assertThat(left).as("no VM dir after a cancel after %d ms; left: %s", delayMillis,
            Ignis.sh("sh", "-c", "ls -la " + ignis.state.resolve("vms") + "/*/ 2>&1; true")).isEmpty();
      }
      assertThat(sandboxes()).as("no sandbox of ours left").isEqualTo(othersNetns);
      assertThat(processesOfOurState()).as("no QEMU or DHCP server of ours left").isEmpty();
      net.assertNoResidue();
    }
  }

  /** The processes (QEMU, udhcpd) whose command line names this test's state dir; ignisd's own names its socket. */
  private java.util.List<String> processesOfOurState() {
    String vms = ignis.state.resolve("vms").toString();
    return ProcessHandle.allProcesses().map(p -> p.info().commandLine().orElse(""))
        .filter(line -> line.contains(vms)).toList();
  }

  @Test
  void sigtermToIgnisd_cancelsTheRunInFlight_whichRollsBack() throws Exception {
    daemon.ok("version");
    java.util.Set<String> othersNetns = sandboxes();
    Process run = daemon.spawn(Map.of("IGNIS_DAEMON", "on"), "run", "--name", "termed");
    Thread.sleep(1200);
    Ignis.sh("kill", "-TERM", String.valueOf(daemon.pid()));
    assertThat(run.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String err = new String(run.getErrorStream().readAllBytes());
    if (run.exitValue() == 0) {
      return; // it was up before the signal came; the base class removes it
    }
    assertThat(run.exitValue()).as(err).isEqualTo(130);
    for (int i = 0; i < 100 && daemon.pid() > 0; i++) {
      Thread.sleep(100);
    }
    assertThat(daemon.pid()).as("ignisd stopped").isNegative();
    assertThat(daemon.inProcess("ps", "-a").out()).doesNotContain("termed");
    assertThat(sandboxes()).as("no sandbox of ours left").isEqualTo(othersNetns);
  }

  @Test
  void theClient_saysInOneLineWhenIgnisdDiesUnderIt() throws Exception {
    daemon.ok("run", "--name", "followed");
    Process follow = daemon.spawn(Map.of("IGNIS_DAEMON", "on"), "logs", "-f", "followed");
    Thread.sleep(1500);
    daemon.kill9();
    assertThat(follow.waitFor(10, TimeUnit.SECONDS)).as("the client noticed").isTrue();
    String err = new String(follow.getErrorStream().readAllBytes()).strip();
    assertThat(follow.exitValue()).isEqualTo(103);
    assertThat(err.lines()).as(err).hasSize(1);
    assertThat(err).startsWith("error: ignisd stopped while it ran this command").contains("ignisd.log");
  }

  @Test
  void progress_isDrawnOnTheClientsTerminal_notOnAPipe() throws Exception {
    daemon.ok("version");
    // script(1) gives the client a terminal of its own; ignisd has none.
    // Drawn at once (not after the usual second): a VM may boot faster than that.
    String command = "env IGNIS_DAEMON=on IGNIS_PROGRESS_DELAY_MS=0 " + Ignis.DIST.resolve("bin/runtime")
        + " run --name tty";
    ProcessBuilder builder = new ProcessBuilder("script", "-qec", command, "/dev/null").redirectErrorStream(true);
    builder.environment().putAll(ignis.environment());
    Process process = builder.start();
    String shown = new String(process.getInputStream().readAllBytes());
    assertThat(process.waitFor()).as(shown).isZero();
    assertThat(shown).contains("starting VM tty... ").contains("\r\033[K");
    Ignis.Result piped = daemon.client("run", "--name", "piped");
    assertThat(piped.status()).isZero();
    assertThat(piped.err()).as("no progress on a pipe").isEmpty();
  }

  @Test
  void anUpgradedInstallation_replacesItsIdleDaemon_ratherThanRunningOldCode() throws Exception {
    Path copy = work.resolve("installed");
    Ignis.sh("cp", "-a", Ignis.DIST.toString(), copy.toString());
    TestDaemon installed = new TestDaemon(ignis, copy);
    try {
      installed.ok("version");
      long before = installed.pid();
      // An upgrade replaces the runtime's jar under the running daemon.
      Path jar;
      try (var jars = Files.list(copy.resolve("lib"))) {
        jar = jars.filter(p -> p.getFileName().toString().startsWith("ignis-runtime-")).findFirst().orElseThrow();
      }
      Files.setLastModifiedTime(jar, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5000));
      Ignis.Result after = installed.client("ps", "-a");
      assertThat(after.status()).as(after.err()).isZero();
      assertThat(after.err()).isEmpty();
      assertThat(installed.pid()).as("a daemon of the new build").isPositive().isNotEqualTo(before);
    } finally {
      installed.stop();
    }
  }

  @Test
  void aPeerNotAllowed_isRefusedByItsCredentials_evenWhereTheSocketLetsItIn() throws Exception {
    daemon.ok("version");
    for (Path dir : new Path[] {work, ignis.state}) {
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    assertThat(nobodyCurl()).as("the socket's dir keeps others out").endsWith("\n000");
    // As if an admin opened the socket to everyone: the kernel's peer credentials still decide.
    Files.setPosixFilePermissions(daemon.socket().getParent(), PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.setPosixFilePermissions(daemon.socket(), PosixFilePermissions.fromString("rw-rw-rw-"));
    String refused = nobodyCurl();
    assertThat(refused).contains("403").contains("user nobody may not use this ignisd");
    assertThat(daemon.curl("GET", "/v1/version", null).status()).as("its owner still may").isEqualTo(200);
  }

  @Test
  void theApi_servesCurl_forTheWholeLifeOfAVm() throws Exception {
    daemon.ok("version"); // the API is served once ignisd runs
    TestDaemon.Answer version = daemon.curl("GET", "/v1/version", null);
    assertThat(version.status()).isEqualTo(200);
    assertThat(version.body()).contains("\"apiVersion\": \"1\"").contains("\"spiVersion\": \"" + dev.ignis.spi.SpiVersion.CURRENT + "\"");
    assertThat(daemon.curl("GET", "/v1/plugins", null).body()).contains("\"id\": \"cni\"");
    OutputSchema.assertJson("pluginList", daemon.curl("GET", "/v1/plugins", null).body());

    int port = TestNetwork.freePort();
    int later = TestNetwork.freePort();
    TestDaemon.Answer created = daemon.curl("POST", "/v1/vms", "{\"name\":\"api\",\"ports\":[\"127.0.0.1:" + port
        + ":80\"]}");
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    assertThat(created.body()).contains("\"name\": \"api\"").contains("\"status\": \"created\"");
    OutputSchema.assertJson("vm", created.body()); // the API answers in the commands' schema
    assertThat(daemon.curl("POST", "/v1/vms", "{\"name\":\"api\"}").body()).as("one error model")
        .contains("\"status\": 409").contains("\"code\": 102").contains("\"exitStatus\": 102")
        .contains("a VM named 'api' already exists");

    TestDaemon.Answer started = daemon.curl("POST", "/v1/vms/api/start", null);
    assertThat(started.status()).as(started.body()).isEqualTo(200);
    assertThat(TestNetwork.fetch("127.0.0.1", port)).contains("Ignis VM api");
    assertThat(daemon.curl("GET", "/v1/vms", null).body()).contains("\"name\": \"api\"").contains("running");
    OutputSchema.assertJson("vmViewList", daemon.curl("GET", "/v1/vms", null).body());
    OutputSchema.assertJson("vm", daemon.curl("GET", "/v1/vms/api", null).body());
    // Ports change live, and the CLI sees what the API did.
    TestDaemon.Answer ports = daemon.curl("PUT", "/v1/vms/api/ports", "[{\"hostIp\":\"127.0.0.1\",\"hostPort\":"
        + later + ",\"vmPort\":80,\"protocol\":\"tcp\"}]");
    assertThat(ports.status()).as(ports.body()).isEqualTo(200);
    OutputSchema.assertJson("portList", ports.body());
    assertThat(TestNetwork.fetch("127.0.0.1", later)).contains("Ignis VM api");
    assertThat(daemon.ok("port", "ls", "api")).contains(String.valueOf(later)).doesNotContain(String.valueOf(port));

    TestDaemon.Answer stopped = daemon.curl("POST", "/v1/vms/api/stop?timeout=5", null);
    assertThat(stopped.status()).isEqualTo(200);
    assertThat(stopped.body()).contains("\"wasRunning\": true").contains("\"status\": \"stopped\"");
    assertThat(daemon.curl("DELETE", "/v1/vms/api", null).body()).contains("\"removed\": \"api\"");

    TestDaemon.Answer missing = daemon.curl("GET", "/v1/vms/api", null);
    assertThat(missing.status()).isEqualTo(404);
    assertThat(missing.body()).contains("\"code\": 101").contains("\"category\": \"not-found\"");
    OutputSchema.assertJson("apiError", missing.body());
    assertThat(daemon.curl("PATCH", "/v1/vms", null).status()).isEqualTo(405);
    assertThat(daemon.curl("POST", "/v1/vms", "{not json").status()).isEqualTo(400);
    assertThat(daemon.curl("GET", "/v2/vms", null).body()).contains("serves API version 1 under /v1/");
  }

  /** The runtimes' sandbox netns on this host now (ours and a user's). */
  private static java.util.Set<String> sandboxes() throws Exception {
    return Ignis.sh("ip", "netns", "list").lines().map(line -> line.split(" ")[0]).filter(n -> n.startsWith("ignis-"))
        .collect(java.util.stream.Collectors.toSet());
  }

  private String nobodyCurl() throws Exception {
    Process process = new ProcessBuilder("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "curl", "-sS",
        "-w", "\n%{http_code}", "--unix-socket", daemon.socket().toString(), "http://ignisd/v1/version")
        .redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes());
    process.waitFor();
    return output;
  }

  private Path vmDir(String name) throws Exception {
    String id = daemon.ok("inspect", name).lines().filter(l -> l.strip().startsWith("\"id\""))
        .findFirst().orElseThrow().replaceAll(".*\"id\": \"([0-9a-f]+)\".*", "$1");
    return ignis.state.resolve("vms").resolve(id);
  }
}
