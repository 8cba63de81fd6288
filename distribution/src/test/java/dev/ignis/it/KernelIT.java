package dev.ignis.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Kernels: the default image's lean kernel, Debian's kernel imported from its package (its
 * modules appended to the initrd at boot) and from its bzImage, compared with the extraction
 * the default image's build script does; VMs booted on them, with and without an imported image;
 * bad kernel files refused in one line.
 */
@Tag("integration")
class KernelIT extends NetworkedVmTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void theDefaultKernel_isTheLeanOne_andBootsAVm() throws Exception {
    int port = TestNetwork.freePort();
    ignis.ok("run", "--name", "lean", "-p", "127.0.0.1:" + port + ":80");
    assertThat(TestNetwork.fetch("127.0.0.1", port)).contains("Ignis VM lean");
    JsonNode kernels = OutputSchema.assertJson("kernelList", ignis.ok("kernel", "ls", "-o", "json"));
    assertThat(kernels.get(0).path("names").get(0).asText()).isEqualTo("default");
    assertThat(kernels.get(0).path("release").asText()).endsWith("-ignis-microvm");
    assertThat(qemuCommandLine("lean")).contains("/default/vmlinux");
  }

  @Test
  void aDebianKernelPackage_bootsWithItsModules_alsoAnImage_andCannotBeRemovedWhileInUse() throws Exception {
    Path deb = TestImages.debianKernelPackage();
    String release = deb.getFileName().toString().replaceAll("^linux-image-(.*?)_.*$", "$1");
    String id = ignis.ok("kernel", "import", deb.toString()).strip();
    assertThat(id).matches("sha256:[0-9a-f]{64}");
    JsonNode imported = kernel(release);
    assertThat(imported.path("format").asText()).isEqualTo("deb");
    assertThat(names(imported.path("modules"))).contains("virtio_mmio", "virtio_net", "virtio_blk", "ext4");
    assertThat(names(imported.path("modules")).indexOf("virtio_ring"))
        .as("a dependency loads before what needs it").isLessThan(names(imported.path("modules")).indexOf("virtio_mmio"));

    int port = TestNetwork.freePort();
    ignis.ok("run", "--name", "deb", "--kernel", release, "-p", "127.0.0.1:" + port + ":80");
    assertThat(TestNetwork.fetch("127.0.0.1", port)).as("its network: virtio_net loaded from the appended modules")
        .contains("Ignis VM deb");
    assertThat(qemuCommandLine("deb")).contains(imported.path("vmlinux").asText());

    Path layout = TestImages.busyboxWeb(work.resolve("web-layout"));
    ignis.ok("image", "import", layout.toString());
    int imagePort = TestNetwork.freePort();
    ignis.ok("run", "--name", "web", "--kernel", id.substring(7, 19), "-p", "127.0.0.1:" + imagePort + ":80",
        "ignis-it/web:1");
    assertThat(TestNetwork.fetch("127.0.0.1", imagePort)).as("its disk: virtio_blk and ext4 from the modules")
        .isEqualTo("image page");

    Ignis.Result inUse = ignis.run("kernel", "rm", release);
    assertThat(inUse.status()).isEqualTo(102);
    assertThat(inUse.err().strip()).isEqualTo("error: kernel " + release + " is used by VM deb, web; remove them first");
    ignis.ok("rm", "-f", "deb", "web");
    assertThat(ignis.ok("kernel", "rm", release)).contains("untagged " + release).contains("deleted " + id);
    assertThat(ignis.ok("kernel", "ls")).doesNotContain(release);
    ignis.ok("image", "rm", "ignis-it/web:1");
  }

  @Test
  void aBzImage_isUncompressedToTheSameVmlinuxAsTheImageBuildExtractsIt() throws Exception {
    Path vmlinuz = debianVmlinuz();
    // The reference: what bin/build-default-image does (xz's magic found by grep, the rest through xz).
    Path reference = work.resolve("vmlinux");
    Ignis.sh("bash", "-c", "offset=$(LC_ALL=C grep -abo $'\\xfd7zXZ\\x00' " + vmlinuz + " | head -1 | cut -d: -f1);"
        + " tail -c +$((offset + 1)) " + vmlinuz + " | xz -dc 2>/dev/null >" + reference + "; true");

    String fromBzImage = ignis.ok("kernel", "import", "--name", "debian-bz", vmlinuz.toString()).strip();
    Path stored = Path.of(kernel("debian-bz").path("vmlinux").asText());
    assertThat(Files.mismatch(stored, reference)).as("the stored vmlinux is the reference's, byte for byte").isEqualTo(-1);
    assertThat(kernel("debian-bz").path("format").asText()).isEqualTo("bzImage");

    Ignis.Result again = ignis.run("kernel", "import", "--name", "debian-elf", reference.toString());
    assertThat(again.status()).isZero();
    assertThat(again.out().strip()).as("the same kernel, so the same id").isEqualTo(fromBzImage);
    assertThat(again.err()).contains("was imported already");
    assertThat(names(kernel("debian-elf").path("names"))).containsExactlyInAnyOrder("debian-bz", "debian-elf");
    ignis.ok("kernel", "rm", fromBzImage);
  }

  @Test
  void badKernelFiles_andNames_areRefusedInOneLine_andLeaveNothing() throws Exception {
    Path text = Files.writeString(work.resolve("notes.txt"), "not a kernel\n");
    refused(ignis.run("kernel", "import", text.toString()), 100, "is not a kernel Ignis knows");
    Path noPvh = Files.copy(Path.of("/bin/true"), work.resolve("true"));
    refused(ignis.run("kernel", "import", noPvh.toString()), 100, "has no PVH entry point");
    Path vmlinuz = debianVmlinuz();
    Path cut = work.resolve("vmlinuz-cut");
    try (var in = Files.newInputStream(vmlinuz)) {
      Files.write(cut, in.readNBytes(1 << 20));
    }
    refused(ignis.run("kernel", "import", cut.toString()), 100, "is cut short");
    refused(ignis.run("kernel", "import", work.resolve("nothing").toString()), 100, "no readable file");
    refused(ignis.run("kernel", "import", "--name", "Bad/Name", vmlinuz.toString()), 100,
        "kernel name 'Bad/Name' is not valid");
    refused(ignis.run("kernel", "rm", "default"), 100, "'default' is the default image's kernel");
    refused(ignis.run("kernel", "rm", "nosuch"), 101, "no kernel 'nosuch'");
    refused(ignis.run("run", "--name", "bad", "--kernel", "nosuch"), 101,
        "--kernel nosuch: no imported kernel and no file of that name");
    assertThat(ignis.ok("ps", "-a")).doesNotContain("bad");
    Path store = ignis.state.resolve("kernels");
    if (Files.isDirectory(store)) {
      try (var left = Files.list(store)) {
        assertThat(left.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("tmp-")))
            .as("no work dir left").isEmpty();
      }
    }
    assertThat(ignis.ok("kernel", "ls", "-o", "json")).doesNotContain("sha256:");
  }

  private static void refused(Ignis.Result result, int status, String message) {
    assertThat(result.status()).as(result.err()).isEqualTo(status);
    assertThat(result.err().strip()).startsWith("error: ").contains(message).doesNotContain("\n");
  }

  /** The bzImage of Debian's kernel package, unpacked into the test's dir. */
  private Path debianVmlinuz() throws Exception {
    Path unpacked = work.resolve("package");
    Ignis.sh("dpkg-deb", "-x", TestImages.debianKernelPackage().toString(), unpacked.toString());
    try (var boot = Files.list(unpacked.resolve("boot"))) {
      return boot.filter(p -> p.getFileName().toString().startsWith("vmlinuz-")).findFirst().orElseThrow();
    }
  }

  /** The kernel of that name, as {@code kernel ls -o json} shows it. */
  private JsonNode kernel(String name) throws Exception {
    for (JsonNode kernel : OutputSchema.assertJson("kernelList", ignis.ok("kernel", "ls", "-o", "json"))) {
      if (names(kernel.path("names")).contains(name)) {
        return kernel;
      }
    }
    throw new AssertionError("no kernel " + name + " in kernel ls");
  }

  private static List<String> names(JsonNode array) {
    List<String> names = new ArrayList<>();
    array.forEach(n -> names.add(n.asText()));
    return names;
  }

  /** The command line of the VM's QEMU. */
  private String qemuCommandLine(String vm) throws Exception {
    Path vmDir = ignis.state.resolve("vms").resolve(idOf(vm));
    long pid = Long.parseLong(Files.readString(vmDir.resolve("qemu.pid")).strip());
    return Files.readString(Path.of("/proc/" + pid + "/cmdline")).replace('\0', ' ');
  }
}
