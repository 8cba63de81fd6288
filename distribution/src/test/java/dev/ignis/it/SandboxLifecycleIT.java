package dev.ignis.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ignis.spi.NetworkPlugin;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ServiceLoader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * VM lifecycle end to end with real network namespaces and real (QEMU) guests, through the
 * third-party example plugin loaded from a plugins dir next to the bundled ones and some
 * broken jars: its VMs get a network card that leads nowhere.
 */
@Tag("integration")
class SandboxLifecycleIT {

  @TempDir Path work;
  private Ignis ignis;

  @BeforeEach
  void install() throws Exception {
    ignis = new Ignis(work).withAllPlugins();
  }

  @AfterEach
  void cleanUp() {
    ignis.cleanUp();
  }

  private String name(String base) {
    return base + "-" + Long.toHexString(System.nanoTime() & 0xffffff);
  }

  private String idOf(String name) {
    String json = ignis.ok("inspect", name);
    int at = json.indexOf("\"id\": \"") + 7;
    return json.substring(at, at + 16);
  }

  @Test
  void thirdPartyPlugin_isFoundNextToBrokenJars_andTheOthersStillLoad() throws Exception {
    Files.write(ignis.plugins.resolve("zz-corrupt.jar"), new byte[] {0x50, 0x4b, 0});
    Files.copy(Ignis.EXAMPLE_PLUGIN, ignis.plugins.resolve("zz-duplicate.jar"));

    Ignis.Result result = ignis.run("plugins", "-o", "json");

    assertThat(result.status()).isZero();
    assertThat(result.out()).contains("\"id\": \"sandbox-only\"").contains("\"provider\": \"Example Org\"")
        .contains("\"id\": \"cni\"").contains("\"id\": \"docker-bridge\"").contains("\"id\": \"flannel\"");
    assertThat(result.err().lines()).hasSize(2).allMatch(line -> line.startsWith("warning: skipping plugin jar "));
    assertThat(result.err()).contains("zz-corrupt.jar: it is not a readable jar")
        .contains("zz-duplicate.jar: plugin id 'sandbox-only' is also claimed by sandbox-only.jar, which comes first"
            + " by file name");
  }

  @Test
  void thirdPartyPlugin_isAlsoAPlainServiceLoaderProvider() throws Exception {
    try (URLClassLoader loader = new URLClassLoader(new URL[] {Ignis.EXAMPLE_PLUGIN.toUri().toURL()},
        getClass().getClassLoader())) {
      assertThat(ServiceLoader.load(NetworkPlugin.class, loader).stream().map(p -> p.get().id()))
          .contains("sandbox-only");
    }
  }

  @Test
  void run_makesARealSandboxWithANicLeadingNowhere_stopRemovesIt_startBringsItBackWithTheSameMac() throws Exception {
    String name = name("box");
    String id = ignis.ok("--network-plugin", "sandbox-only", "run", "--name", name).strip();
    String netns = "ignis-" + id;

    assertThat(Ignis.netnsExists(netns)).isTrue();
    String specMac = ignis.ok("inspect", name, "-o", "json").lines().filter(l -> l.contains("\"mac\""))
        .findFirst().orElseThrow().replaceAll(".*\"mac\": \"([0-9a-f:]+)\".*", "$1");
    assertThat(Ignis.sh("ip", "-n", netns, "link", "show", "eth0")).contains("UP").contains(specMac);
    assertThat(Ignis.sh("ip", "-n", netns, "-o", "addr", "show", "dev", "eth0")).doesNotContain("inet ")
        .doesNotContain("scope global");
    assertThat(Ignis.sh("ip", "-n", netns, "link", "show", "tap0")).as("the runtime linked the guest to it")
        .contains("tap0");
    assertThat(ignis.ok("ps")).contains(id).contains(name).contains("up ");
    assertThat(ignis.ok("logs", name)).contains("IGNIS-READY " + name)
        .as("a network without IPv4: the guest asks no DHCP (nobody would answer; it held the boot 15 s)")
        .doesNotContain("udhcpc");
    String mac = ignis.ok("inspect", name, "-o", "yaml").lines().filter(l -> l.strip().startsWith("mac:")).findFirst().orElseThrow();

    assertThat(ignis.ok("stop", name).strip()).isEqualTo(name);
    assertThat(Ignis.netnsExists(netns)).isFalse();
    assertThat(ignis.ok("ps")).doesNotContain(id);
    assertThat(ignis.ok("ps", "-a")).contains(id).contains("stopped");

    ignis.ok("start", name);
    assertThat(Ignis.netnsExists(netns)).isTrue();
    assertThat(ignis.ok("inspect", name, "-o", "yaml")).contains(mac).contains("plugin: \"sandbox-only\"");

    ignis.ok("rm", "-f", name);
    assertThat(Ignis.netnsExists(netns)).isFalse();
    assertThat(ignis.ok("ps", "-a")).doesNotContain(id);
  }

  @Test
  void badRequests_failWithOneLineAndChangeNothing() throws Exception {
    String name = name("busy");
    String id = ignis.ok("run", "--network-plugin", "sandbox-only", "--name", name).strip();

    Ignis.Result rm = ignis.run("rm", name);
    assertThat(rm.status()).isEqualTo(102);
    assertThat(rm.err().strip()).isEqualTo("error: VM '" + name + "' is running; stop it first ('runtime stop " + name
        + "') or use 'runtime rm -f'");
    assertThat(Ignis.netnsExists("ignis-" + id)).isTrue();

    Ignis.Result start = ignis.run("start", name);
    assertThat(start.status()).as("the state asked for already: a note, as stop of a stopped VM").isZero();
    assertThat(start.err().strip()).isEqualTo("note: VM '" + name + "' is already running");

    Ignis.Result duplicate = ignis.run("create", "--network-plugin", "sandbox-only", "--name", name);
    assertThat(duplicate.status()).isEqualTo(102);
    assertThat(duplicate.err()).contains("already exists (id " + id + ")");

    Ignis.Result unknown = ignis.run("run", "--network-plugin", "nope", "--name", name("x"));
    assertThat(unknown.status()).isEqualTo(101);
    assertThat(unknown.err().strip())
        .isEqualTo("error: unknown network plugin 'nope'; available: cni, docker-bridge, flannel, sandbox-only"
            + " (see 'runtime plugins')");

    Ignis.Result ports = ignis.run("run", "--network-plugin", "sandbox-only", "--name", name("ports"), "-p",
        TestNetwork.freePort() + ":80");
    assertThat(ports.status()).isEqualTo(103);
    assertThat(ports.err()).contains("sandbox-only gives VMs no network, so it cannot publish ports");
    assertThat(ignis.ok("ps", "-a")).doesNotContain("ports-").contains(name);
    assertThat(ignis.ok("gc")).isEmpty();
  }

  @Test
  void gc_finishesAStartACrashInterrupted_andRemovesOrphanSandboxesOfThisStateDirOnly() throws Exception {
    String name = name("crash");
    String id = ignis.ok("run", "--network-plugin", "sandbox-only", "--name", name).strip();
    Path record = ignis.state.resolve("vms").resolve(id).resolve("vm.json");
    // As if killed after the netns was made and before the start completed.
    Files.writeString(record, Files.readString(record).replace("\"status\" : \"RUNNING\"", "\"status\" : \"STARTING\""));
    assertThat(ignis.ok("ps")).contains("starting (interrupted)");

    String orphan = "ignis-" + Long.toHexString(Double.doubleToLongBits(Math.random()) | 1L << 60);
    Files.createDirectories(ignis.state.resolve("netns"));
    Files.createFile(ignis.state.resolve("netns").resolve(orphan));
    Ignis.sh("ip", "netns", "add", orphan);
    String foreign = "ignis-" + Long.toHexString(System.nanoTime() | 1L << 60);
    Ignis.sh("ip", "netns", "add", foreign);
    try {
      String report = ignis.ok("gc");
      assertThat(report).contains("finished the interrupted start of VM '" + name + "': stopped")
          .contains("removed sandbox netns " + orphan);
      assertThat(Ignis.netnsExists("ignis-" + id)).isFalse();
      assertThat(Ignis.netnsExists(orphan)).isFalse();
      assertThat(Ignis.netnsExists(foreign)).as("a netns this state dir did not make").isTrue();
      assertThat(ignis.ok("ps", "-a")).contains("stopped");
      assertThat(ignis.ok("gc")).isEmpty();
    } finally {
      Ignis.sh("ip", "netns", "delete", foreign);
    }
  }

  @Test
  void aVmWhosePluginJarIsGone_isRemovedWithWhatTheRuntimeOwns_andGcWaitsForThePlugin() throws Exception {
    String box = name("box");
    ignis.ok("--network-plugin", "sandbox-only", "run", "--name", box);
    String id = idOf(box);
    Path jar = ignis.plugins.resolve("sandbox-only.jar");
    Path aside = Files.move(jar, work.resolve("sandbox-only.jar"));
    try {
      Ignis.Result rm = ignis.run("rm", "-f", box);
      assertThat(rm.status()).as(rm.err()).isZero();
      assertThat(rm.err()).contains("warning: VM '" + box + "' is removed, but not all of its network:")
          .contains("unknown network plugin 'sandbox-only'");
      assertThat(Ignis.sh("ps", "-eo", "args")).as("its QEMU").doesNotContain(ignis.state.resolve("vms").resolve(id)
          .toString());
      Ignis.Result gc = ignis.run("gc");
      assertThat(gc.status()).isEqualTo(103);
      assertThat(gc.err()).contains("kept sandbox netns ignis-" + id + " of a VM that no longer exists: its network"
          + " plugin 'sandbox-only' is not installed");
      assertThat(Ignis.netnsExists("ignis-" + id)).isTrue();
    } finally {
      Files.move(aside, jar);
    }
    assertThat(ignis.ok("gc")).contains("removed sandbox netns ignis-" + id);
    assertThat(Ignis.netnsExists("ignis-" + id)).isFalse();
  }
}
