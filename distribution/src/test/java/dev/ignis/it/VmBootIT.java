package dev.ignis.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Real QEMU guests: the lifecycle's bad cases, each failing clearly and leaking nothing. */
@Tag("integration")
class VmBootIT extends NetworkedVmTest {

  private void assertFailsCleanly(Ignis.Result result, int status, String message) throws Exception {
    assertThat(result.status()).as(result.err()).isEqualTo(status);
    assertThat(result.err().strip()).startsWith("error: ").contains(message).doesNotContain("\n");
    assertThat(ignis.ok("ps", "-a")).doesNotContain("bad");
    net.assertNoResidue();
  }

  @Test
  void missingKernelOrInitrd_isRefusedBeforeAnythingStarts() throws Exception {
    assertFailsCleanly(ignis.run("run", "--name", "bad", "--kernel", "/nonexistent/vmlinux", "--initrd",
        "/nonexistent/initrd"), 100, "--kernel /nonexistent/vmlinux is missing or unreadable");
    assertFailsCleanly(ignis.run("run", "--name", "bad", "--kernel", "/nonexistent/vmlinux"), 100,
        "--kernel /nonexistent/vmlinux is missing or unreadable");
    assertFailsCleanly(ignis.run("run", "--name", "bad", "--initrd", "/nonexistent/initrd"), 100,
        "--initrd /nonexistent/initrd is missing or unreadable");
  }

  @Test
  void outOfRangeResources_areRefused() throws Exception {
    assertFailsCleanly(ignis.run("run", "--name", "bad", "--cpus", "64"), 100, "--cpus 64 is out of range");
    assertFailsCleanly(ignis.run("run", "--name", "bad", "--memory", "16M"), 100, "--memory 16 MiB is out of range");
  }

  @Test
  void qemuDyingDuringBoot_isReportedWithTheConsole() throws Exception {
    // No init: the kernel panics and QEMU (-no-reboot) exits.
    Ignis.Result result = ignis.run("run", "--name", "bad", "--cmdline", "rdinit=/nonexistent");
    assertFailsCleanly(result, 104, "QEMU exited while the VM was booting; the console says: ");
    assertThat(result.err()).as("the panic, not the trace after it").contains("Kernel panic - not syncing")
        .doesNotContain("Call Trace").doesNotContain("[ ");
  }

  @Test
  void theGuestStartedWhileItsNetworkIsAttached_getsTheSameAddressAsOneStartedAfter() throws Exception {
    int early = TestNetwork.freePort();
    int late = TestNetwork.freePort();
    ignis.ok("run", "--name", "early", "--ip", net.prefix + "40", "-p", "127.0.0.1:" + early + ":80");
    ignis.withEnv("IGNIS_BOOT_EARLY", "false").ok("run", "--name", "late", "--ip", net.prefix + "41", "-p", "127.0.0.1:" + late + ":80");
    ignis.withEnv("IGNIS_BOOT_EARLY", "true");
    assertThat(TestNetwork.fetch("127.0.0.1", early)).contains("Ignis VM early");
    assertThat(TestNetwork.fetch("127.0.0.1", late)).contains("Ignis VM late");
    String earlyConsole = ignis.ok("logs", "early");
    String lateConsole = ignis.ok("logs", "late");
    assertThat(earlyConsole).as("by DHCP").contains("IGNIS-READY early " + net.prefix + "40" + "/");
    assertThat(lateConsole).as("by the kernel command line").contains("IGNIS-READY late " + net.prefix + "41" + "/");
  }

  @Test
  void aGuestStartedEarly_asksForItsAddressOnce_whenItsCardIsPluggedIn_evenIfTheNetworkTakesLong() throws Exception {
    // The chain's last plugin takes 4 s more: long after the guest has booted (about 1.5 s here).
    Files.writeString(net.binDir.resolve("firewall"), """
        #!/bin/sh
        out=$(/usr/lib/cni/firewall)
        status=$?
        [ "$CNI_COMMAND" = ADD ] && sleep 4
        echo "$out"
        exit $status
        """);
    java.nio.file.Files.setPosixFilePermissions(net.binDir.resolve("firewall"),
        java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
    int port = TestNetwork.freePort();
    ignis.ok("run", "--name", "patient", "-p", "127.0.0.1:" + port + ":80");
    assertThat(TestNetwork.fetch("127.0.0.1", port)).contains("Ignis VM patient");
    String console = ignis.ok("logs", "patient");
    assertThat(console.split("broadcasting discover", -1)).as("one DHCP request, not one a second into a network"
        + " not attached yet: " + console).hasSize(2);
    Files.delete(net.binDir.resolve("firewall"));
    ignis.ok("rm", "-f", "patient");
    net.assertNoResidue();
  }

  @Test
  void aGuestThatNeverBecomesReady_isTornDownWithItsConsoleShown() throws Exception {
    ignis.withEnv("IGNIS_BOOT_TIMEOUT", "8");
    // An init that runs but never reports ready.
    assertFailsCleanly(ignis.run("run", "--name", "bad", "--cmdline", "rdinit=/bin/busybox -- sleep 600"), 103,
        "did not become ready within 8 s; the console says:");
  }

  @Test
  void aVmWhoseQemuDied_showsAsExited_andStopCleansUp() throws Exception {
    String id = ignis.ok("run", "--name", "gone").strip();
    assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(
        ignis.state.resolve("vms").resolve(id).resolve("console.log")))).as("the console is the owner's only")
        .isEqualTo("rw-------");
    String pid = Files.readString(ignis.state.resolve("vms").resolve(id).resolve("qemu.pid")).strip();
    Ignis.sh("kill", "-9", pid);
    for (int i = 0; i < 50 && Files.exists(Path.of("/proc", pid, "cmdline"))
        && Files.readString(Path.of("/proc", pid, "cmdline")).contains("qemu"); i++) {
      Thread.sleep(100);
    }
    assertThat(ignis.ok("ps", "-a")).contains("exited");
    assertThat(ignis.ok("stop", "gone").strip()).isEqualTo("gone");
    assertThat(Ignis.netnsExists("ignis-" + id)).isFalse();
    net.assertNoResidue();
    assertThat(ignis.ok("ps", "-a")).contains("stopped");
  }

  @Test
  void aGuestThatOnlySpeaksDhcp_getsTheAddressThePluginGaveIt() throws Exception {
    int port = TestNetwork.freePort();
    ignis.ok("run", "--name", "dhcp", "-p", port + ":80", "--cmdline", "ignis.net=dhcp");
    String yaml = ignis.ok("inspect", "dhcp", "-o", "yaml");
    int at = yaml.indexOf("address: \"") + 10;
    String cidr = yaml.substring(at, yaml.indexOf('"', at));
    assertThat(ignis.ok("logs", "dhcp")).contains("IGNIS-READY dhcp " + cidr);
    assertThat(TestNetwork.fetch("127.0.0.1", port)).contains("<h1>dhcp</h1>");
    ignis.ok("rm", "-f", "dhcp");
    // Only this test's server: a user's VM may run its own udhcpd on this host.
    assertThat(Ignis.sh("ps", "-eo", "args")).doesNotContain(ignis.state.toString());
  }

  @Test
  void stop_powersTheGuestOffOverAcpi() throws Exception {
    ignis.ok("run", "--name", "polite");
    ignis.ok("stop", "--time", "30", "polite");
    assertThat(ignis.ok("logs", "polite")).contains("reboot: Power down");
  }

  @Test
  void aRunningVmWhoseRecordIsCorrupt_keepsItsNetworkThroughGc_andRmForceRemovesIt() throws Exception {
    int port = TestNetwork.freePort();
    String id = ignis.ok("run", "--name", "blur", "-p", port + ":80").strip();
    Files.writeString(ignis.state.resolve("vms").resolve(id).resolve("vm.json"), "{ \"id\": ");

    Ignis.Result gc = ignis.run("gc");
    assertThat(gc.err()).contains("gc leaves that VM alone");
    assertThat(Ignis.netnsExists("ignis-" + id)).isTrue();
    assertThat(TestNetwork.fetch("127.0.0.1", port)).as("still served").contains("<h1>blur</h1>");
    assertThat(ignis.run("ps", "-a").err()).contains("vm.json is corrupt").contains("'runtime rm -f " + id + "'");
    assertThat(ignis.run("inspect", id).err()).contains("vm.json is corrupt");

    Ignis.Result rm = ignis.run("rm", "-f", id);
    assertThat(rm.status()).as(rm.err()).isZero();
    assertThat(rm.err()).contains("'runtime gc' reclaims it");
    assertThat(Ignis.sh("ps", "-eo", "args")).doesNotContain(ignis.state.resolve("vms").resolve(id).toString());
    assertThat(ignis.ok("gc")).contains("deleted the attachment of VM " + id).contains("removed sandbox netns ignis-" + id);
    net.assertNoResidue();
  }

  @Test
  void aRunningVmWhoseNetnsPinVanished_isPinnedAgainFromItsQemu_notKilled() throws Exception {
    int port = TestNetwork.freePort();
    String id = ignis.ok("run", "--name", "pinned", "-p", port + ":80").strip();
    Path pin = Path.of("/run/netns/ignis-" + id);
    Ignis.sh("umount", pin.toString());
    Files.delete(pin);

    assertThat(ignis.ok("gc")).contains("VM 'pinned' lost the pin of its sandbox netns ignis-" + id
        + ": pinned it again from its QEMU");
    assertThat(pin).exists();
    assertThat(ignis.ok("ps")).contains("pinned").contains("up ");
    assertThat(TestNetwork.fetch("127.0.0.1", port)).contains("<h1>pinned</h1>");
    assertThat(ignis.ok("check", "pinned")).isEqualTo("pinned: ok\n");

    // Once more, then rm -f: the DEL still finds the sandbox, so the bridge's rules go too.
    Ignis.sh("umount", pin.toString());
    Files.delete(pin);
    ignis.ok("rm", "-f", "pinned");
    assertThat(pin).doesNotExist();
    net.assertNoResidue();
  }
}
