package dev.ignis.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * VMs of imported images, booted on the cni network of the test's own: a plain container
 * image (busybox httpd, no init of its own) serves its page through -p with its configuration's
 * environment and working directory, VMs of one image keep their writes apart and across
 * stop/start, and an image in use cannot be removed.
 */
@Tag("integration")
class VmImageIT extends NetworkedVmTest {

  @Test
  void aContainerImage_servesThroughItsPort_andVmsOfItKeepTheirWritesApart() throws Exception {
    Path layout = TestImages.busyboxWeb(work.resolve("web-layout"));
    String id = ignis.ok("image", "import", layout.toString()).strip();
    int port = TestNetwork.freePort();
    ignis.ok("run", "--name", "a", "-p", "127.0.0.1:" + port + ":80", "ignis-it/web:1");
    assertThat(TestNetwork.fetch("127.0.0.1", port)).isEqualTo("image page");
    String env = TestNetwork.fetch("127.0.0.1", port, "/cgi-bin/env");
    assertThat(env).as(env).contains("pwd=/data hostname=a greeting=hello from the image config")
        .contains("nameserver");
    assertThat(ignis.ok("logs", "a")).contains("IGNIS-READY a " + ipOf("a"));

    ignis.ok("run", "--name", "b", "ignis-it/web:1");
    String b = ipOf("b");
    assertThat(TestNetwork.fetch("127.0.0.1", port, "/cgi-bin/write?from-a")).contains("written");
    assertThat(TestNetwork.fetch("127.0.0.1", port, "/cgi-bin/read")).isEqualTo("from-a");
    assertThat(TestNetwork.fetch(b, 80, "/cgi-bin/read")).as("b's disk is its own").contains("No such file");

    ignis.ok("stop", "a");
    ignis.ok("start", "a");
    assertThat(TestNetwork.fetch("127.0.0.1", port, "/cgi-bin/read")).as("a's write outlives a stop").isEqualTo("from-a");

    Ignis.Result inUse = ignis.run("image", "rm", "ignis-it/web:1");
    assertThat(inUse.status()).isEqualTo(102);
    assertThat(inUse.err().strip()).isEqualTo("error: image ignis-it/web:1 is used by VM a, b; remove them first");
    Path disk = ignis.state.resolve("vms").resolve(idOf("a")).resolve("disk.qcow2");
    assertThat(disk).exists();
    ignis.ok("rm", "-f", "a", "b");
    assertThat(disk).doesNotExist();
    ignis.ok("image", "rm", id);
  }

  @Test
  void aMissingImage_orOneWithAKernelOfItsOwn_isRefusedBeforeAnythingChanges() throws Exception {
    Ignis.Result missing = ignis.run("run", "--name", "x", "nosuch:1");
    assertThat(missing.status()).isEqualTo(101);
    assertThat(missing.err().strip()).startsWith("error: no image 'nosuch:1'");
    Path layout = TestImages.busyboxWeb(work.resolve("web-layout"));
    ignis.ok("image", "import", layout.toString());
    Ignis.Result kernel = ignis.run("run", "--name", "x", "--kernel", "/boot/vmlinuz", "--initrd", "/boot/initrd.img",
        "ignis-it/web:1");
    assertThat(kernel.status()).isEqualTo(100);
    assertThat(kernel.err()).contains("leave out --kernel and --initrd");
    assertThat(ignis.ok("ps", "-a")).doesNotContain(" x ");
    Path vms = ignis.state.resolve("vms");
    if (Files.isDirectory(vms)) {
      try (var left = Files.list(vms)) {
        assertThat(left).isEmpty();
      }
    }
  }
}
