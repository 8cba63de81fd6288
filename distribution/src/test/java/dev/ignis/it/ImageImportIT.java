package dev.ignis.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code image import} against the reference, Docker itself: an image of two layers (the second
 * deletes, empties a directory, adds a set-uid file, a file capability and a device node) is
 * built by a private dockerd of the test's own, then imported as Docker saves it, from the
 * Engine (docker://) and as an OCI layout the test makes of it; each ext4 image must hold
 * exactly what {@code docker export} of a container of that image holds.
 */
@Tag("integration")
class ImageImportIT {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path shared;
  static TestDocker docker;

  @TempDir Path work;

  @BeforeAll
  static void buildImage() throws Exception {
    docker = TestDocker.start(shared);
    Path context = Files.createDirectories(shared.resolve("context"));
    Path rootfs = Files.createDirectories(context.resolve("rootfs"));
    Files.createDirectories(rootfs.resolve("bin"));
    Files.copy(Path.of("/bin/busybox"), rootfs.resolve("bin/busybox"));
    Files.createSymbolicLink(rootfs.resolve("bin/sh"), Path.of("busybox"));
    Files.createDirectories(rootfs.resolve("etc"));
    Files.writeString(rootfs.resolve("etc/gone"), "deleted by the next layer\n");
    Files.writeString(rootfs.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\nwww:x:33:33::/var/www:/bin/sh\n");
    Files.createDirectories(rootfs.resolve("opt/dir/sub"));
    Files.writeString(rootfs.resolve("opt/dir/sub/lower"), "emptied by the next layer\n");
    Files.copy(Path.of("/bin/true"), rootfs.resolve("bin/pinger"));
    Files.writeString(context.resolve("Dockerfile"), """
        FROM scratch
        COPY rootfs/ /
        RUN ["/bin/busybox", "sh", "-c", "rm /etc/gone && rm -r /opt/dir/* && echo upper > /opt/dir/upper \\
          && mkdir -p /var/www && echo page > /var/www/index.html && chown -R 33:33 /var/www \\
          && chmod 4755 /bin/pinger && /bin/busybox mknod /opt/ignis-null c 1 3"]
        ENTRYPOINT ["/bin/busybox", "httpd", "-f", "-p", "80", "-h", "/var/www"]
        ENV GREETING=hello
        WORKDIR /var/www
        """);
    TestDocker.Output build = docker.docker("build", "-q", "-t", "ignis-it/layers:1", context.toString());
    assertThat(build.status()).as(build.text()).isZero();
    Files.writeString(shared.resolve("reference.cid"), docker.docker("create", "ignis-it/layers:1").text().strip());
  }

  @AfterAll
  static void stopDocker() throws Exception {
    if (docker != null) {
      docker.close();
    }
  }

  @Test
  void aDockerSaveArchive_theEngine_andAnOciLayout_giveWhatDockerExportGives() throws Exception {
    Ignis ignis = new Ignis(work).withEnv("DOCKER_HOST", docker.host());
    Path saved = work.resolve("saved.tar");
    TestDocker.Output save = docker.docker("save", "-o", saved.toString(), "ignis-it/layers:1");
    assertThat(save.status()).as(save.text()).isZero();
    String reference = tree(exported());

    String id = ignis.ok("image", "import", saved.toString()).strip();
    assertThat(id).startsWith("sha256:");
    assertThat(ignis.ok("image", "ls")).contains("ignis-it/layers:1").contains(id.substring(7, 19));
    assertThat(tree(dumped(ignis, "ignis-it/layers:1"))).isEqualTo(reference);
    JsonNode inspected = OutputSchema.assertJson("imageList", ignis.ok("image", "inspect", "ignis-it/layers:1")).get(0);
    assertThat(inspected.path("config").path("Entrypoint").toString()).contains("httpd");
    assertThat(inspected.path("config").path("WorkingDir").asText()).isEqualTo("/var/www");
    assertThat(debugfs(inspected.path("rootfs").asText(), "stat /opt/ignis-null")).contains("Type: character");
    assertThat(debugfs(inspected.path("rootfs").asText(), "stat /bin/pinger")).contains("Mode:  04755");

    // The same image from the Engine: the same id, named as asked, imported once.
    Ignis.Result again = ignis.run("image", "import", "docker://ignis-it/layers:1", "--name", "from-engine");
    assertThat(again.status()).as(again.err()).isZero();
    assertThat(again.out().strip()).isEqualTo(id);
    assertThat(again.err()).contains("imported already");
    assertThat(ignis.ok("image", "ls")).contains("from-engine:latest");

    // An OCI layout made of it, layers gzipped: its own id (a manifest digest), the same files.
    Path layout = ociLayout(saved, work.resolve("layout"));
    String ociId = ignis.ok("image", "import", layout.toString(), "--name", "oci").strip();
    assertThat(ociId).isNotEqualTo(id);
    assertThat(tree(dumped(ignis, "oci"))).isEqualTo(reference);

    ignis.ok("image", "rm", "from-engine", "oci");
    assertThat(ignis.ok("image", "ls")).doesNotContain("from-engine").doesNotContain("oci:latest")
        .contains("ignis-it/layers:1");
    ignis.ok("image", "rm", id);
    assertThat(ignis.ok("image", "ls").lines().count()).as("only the header").isEqualTo(1);
    try (Stream<Path> left = Files.list(ignis.state.resolve("oci-images"))) {
      assertThat(left.map(p -> p.getFileName().toString())).doesNotContain("tmp-").allMatch(n -> !n.startsWith("tmp-"));
    }
  }

  @Test
  void badSources_getOneLineEach_andLeaveNothing() throws Exception {
    Ignis ignis = new Ignis(work).withEnv("DOCKER_HOST", docker.host());
    Ignis.Result registry = ignis.run("image", "import", "alpine:3.19");
    assertThat(registry.status()).isEqualTo(101);
    assertThat(registry.err().strip()).startsWith("error: no file or directory ").contains("pulls from no registry")
        .doesNotContain("\n");
    Ignis.Result unknown = ignis.run("image", "import", "docker://ignis-it/nosuch:1");
    assertThat(unknown.status()).isEqualTo(101);
    assertThat(unknown.err().strip()).contains("cannot give image ignis-it/nosuch:1").doesNotContain("\n");
    Ignis.Result noEngine = new Ignis(work.resolve("other")).withEnv("DOCKER_HOST", "unix://" + work.resolve("none.sock"))
        .run("image", "import", "docker://busybox");
    assertThat(noEngine.err().strip()).contains("no Docker Engine answers at").doesNotContain("\n");
    // A layout whose layer was altered after it was made.
    Path saved = work.resolve("saved.tar");
    docker.docker("save", "-o", saved.toString(), "ignis-it/layers:1");
    Path layout = ociLayout(saved, work.resolve("layout"));
    try (Stream<Path> blobs = Files.list(layout.resolve("blobs/sha256"))) {
      Path biggest = blobs.max(java.util.Comparator.comparingLong(p -> p.toFile().length())).orElseThrow();
      byte[] bytes = Files.readAllBytes(biggest);
      bytes[bytes.length / 2] ^= 1;
      Files.write(biggest, bytes);
    }
    Ignis.Result altered = ignis.run("image", "import", layout.toString());
    assertThat(altered.status()).isNotZero();
    assertThat(altered.err().strip()).contains("does not match its digest").doesNotContain("\n");
    Ignis.Result badName = ignis.run("image", "import", saved.toString(), "--name", "Not A Name");
    assertThat(badName.status()).isEqualTo(100);
    assertThat(ignis.ok("image", "ls").lines().count()).isEqualTo(1);
    try (Stream<Path> left = Files.list(ignis.state.resolve("oci-images"))) {
      assertThat(left.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("tmp-"))).isEmpty();
    }
  }

  @Test
  void anImportKilledMidway_leavesItsWorkDirectory_whichGcRemoves_andNoImage() throws Exception {
    Ignis ignis = new Ignis(work);
    Path saved = work.resolve("saved.tar");
    docker.docker("save", "-o", saved.toString(), "ignis-it/layers:1");
    Path store = ignis.state.resolve("oci-images");
    boolean caught = false;
    for (int attempt = 0; attempt < 5 && !caught; attempt++) {
      Process process = ignis.spawn("image", "import", saved.toString());
      long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
      while (process.isAlive() && System.nanoTime() < deadline && !hasWorkDir(store)) {
        Thread.sleep(2);
      }
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
      process.waitFor();
      caught = hasWorkDir(store);
      if (!caught) {
        ignis.run("image", "rm", "ignis-it/layers:1"); // it finished first: again
      }
    }
    assertThat(caught).as("an import was killed while it worked").isTrue();
    assertThat(ignis.ok("image", "ls").lines().count()).as("no image").isEqualTo(1);
    assertThat(ignis.ok("gc")).contains("(an interrupted image import)");
    assertThat(hasWorkDir(store)).isFalse();
    ignis.ok("image", "import", saved.toString());
    assertThat(ignis.ok("image", "ls")).contains("ignis-it/layers:1");
  }

  private static boolean hasWorkDir(Path store) throws Exception {
    if (!Files.isDirectory(store)) {
      return false;
    }
    try (Stream<Path> entries = Files.list(store)) {
      return entries.anyMatch(p -> p.getFileName().toString().startsWith("tmp-"));
    }
  }

  @Test
  void fileCapabilitiesAndOtherExtendedAttributes_areKeptByteForByte() throws Exception {
    // A docker save archive made by hand with GNU tar, whose pax headers carry the attribute.
    Path layer = Files.createDirectories(work.resolve("layer/bin"));
    Files.copy(Path.of("/bin/true"), layer.resolve("pinger"));
    Ignis.sh("setcap", "cap_setuid,cap_net_raw+ep", layer.resolve("pinger").toString());
    Path save = Files.createDirectories(work.resolve("save"));
    Ignis.sh("tar", "--xattrs", "--xattrs-include=*", "--format=pax", "--numeric-owner", "--owner=0", "--group=0",
        "-cf", save.resolve("layer.tar").toString(), "-C", work.resolve("layer").toString(), ".");
    String diffId = sha256(Files.readAllBytes(save.resolve("layer.tar")));
    byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{},\"rootfs\":{\"type\":\"layers\","
        + "\"diff_ids\":[\"sha256:" + diffId + "\"]}}").getBytes();
    Files.write(save.resolve("config.json"), config);
    Files.writeString(save.resolve("manifest.json"), "[{\"Config\":\"config.json\",\"RepoTags\":[\"caps:1\"],"
        + "\"Layers\":[\"layer.tar\"]}]");
    Path archive = work.resolve("caps.tar");
    Ignis.sh("tar", "-cf", archive.toString(), "-C", save.toString(), ".");
    Ignis ignis = new Ignis(work);
    ignis.ok("image", "import", archive.toString());
    String rootfs = JSON.readTree(ignis.ok("image", "inspect", "caps:1")).get(0).path("rootfs").asText();
    // What setcap writes for cap_setuid,cap_net_raw+ep (VFS_CAP_REVISION_2, effective; permitted bits 7 and 13):
    // its 0x80 byte is what a UTF-8 decoding of the pax value would break.
    assertThat(debugfs(rootfs, "ea_list /bin/pinger"))
        .contains("security.capability (20) = 01 00 00 02 80 20 00 00 00 00 00 00 00 00 00 00 00 00 00 00");
  }

  private static String sha256(byte[] content) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
  }

  /** {@code docker export} of a container of the image, unpacked by GNU tar as root. */
  private Path exported() throws Exception {
    Path tar = work.resolve("export.tar");
    String cid = Files.readString(shared.resolve("reference.cid"));
    TestDocker.Output export = docker.docker("export", "-o", tar.toString(), cid);
    assertThat(export.status()).as(export.text()).isZero();
    Path dir = Files.createDirectories(work.resolve("exported"));
    Ignis.sh("tar", "--numeric-owner", "-xpf", tar.toString(), "-C", dir.toString());
    return dir;
  }

  /** The image's ext4 file system dumped by debugfs (owners, modes and times kept). */
  private Path dumped(Ignis ignis, String image) throws Exception {
    String rootfs = JSON.readTree(ignis.ok("image", "inspect", image)).get(0).path("rootfs").asText();
    Path dir = Files.createDirectories(work.resolve("dumped-" + image.replace('/', '_')));
    Ignis.sh("debugfs", "-R", "rdump / " + dir, rootfs);
    return dir;
  }

  private static String debugfs(String image, String request) throws Exception {
    return Ignis.sh("debugfs", "-R", request, image);
  }

  /**
   * Every path of a tree with its type, mode, owner, size, link target and content hash; what
   * Docker adds to any container (its mount points, /dev, /proc, /sys, .dockerenv, /etc/mtab) and
   * debugfs cannot dump (device nodes, checked with debugfs stat) are left out, as is lost+found, which mkfs makes.
   */
  private static String tree(Path dir) throws Exception {
    String listing = Ignis.sh("bash", "-c", "cd " + dir + " && find . -mindepth 1 -not -type c -not -type b -not -type p -printf '%P %y %m %U:%G %s %l\\n'"
        + " | grep -vE '^(dev|proc|sys|lost\\+found|\\.dockerenv|etc/(hostname|hosts|resolv\\.conf|mtab))( |/)' | sort"
        + " && find . -type f -not -path './dev/*' -not -path './lost+found/*' -not -name .dockerenv"
        + " -not -path './etc/hostname' -not -path './etc/hosts' -not -path './etc/resolv.conf' -not -path './etc/mtab' -exec sha256sum {} + | sort");
    // debugfs' rdump chowns after chmod, which drops set-uid bits: those are checked with debugfs stat.
    return listing.replaceAll("(?m)^(\\S+)  \\./", "$1  ").replaceAll("(?m)^(\\S+ \\S+ )\\d*(\\d{3}) ", "$1$2 ");
  }

  /** An OCI image layout of the image in a docker save archive, its layers gzipped. */
  private static Path ociLayout(Path saved, Path dir) throws Exception {
    Path unpacked = Files.createDirectories(dir.resolveSibling(dir.getFileName() + "-save"));
    Ignis.sh("tar", "-xf", saved.toString(), "-C", unpacked.toString());
    JsonNode manifest = JSON.readTree(unpacked.resolve("manifest.json").toFile()).get(0);
    Path blobs = Files.createDirectories(dir.resolve("blobs/sha256"));
    byte[] config = Files.readAllBytes(unpacked.resolve(manifest.path("Config").asText()));
    ObjectNode oci = JSON.createObjectNode().put("schemaVersion", 2)
        .put("mediaType", "application/vnd.oci.image.manifest.v1+json");
    oci.set("config", descriptor("application/vnd.oci.image.config.v1+json", blob(blobs, config)));
    ArrayNode layers = oci.putArray("layers");
    for (JsonNode layer : manifest.path("Layers")) {
      Path gz = Files.createTempFile(dir, "layer", ".gz");
      Ignis.sh("bash", "-c", "gzip -c " + unpacked.resolve(layer.asText()) + " > " + gz);
      layers.add(descriptor("application/vnd.oci.image.layer.v1.tar+gzip", blob(blobs, Files.readAllBytes(gz))));
      Files.delete(gz);
    }
    byte[] manifestBytes = JSON.writeValueAsBytes(oci);
    ObjectNode index = JSON.createObjectNode().put("schemaVersion", 2);
    ObjectNode entry = descriptor("application/vnd.oci.image.manifest.v1+json", blob(blobs, manifestBytes));
    entry.putObject("platform").put("os", "linux").put("architecture", "amd64");
    index.putArray("manifests").add(entry);
    Files.write(dir.resolve("index.json"), JSON.writeValueAsBytes(index));
    Files.writeString(dir.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
    return dir;
  }

  private static String[] blob(Path blobs, byte[] content) throws Exception {
    String hex = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    Files.write(blobs.resolve(hex), content);
    return new String[] {"sha256:" + hex, String.valueOf(content.length)};
  }

  private static ObjectNode descriptor(String mediaType, String[] digestAndSize) {
    return JSON.createObjectNode().put("mediaType", mediaType).put("digest", digestAndSize[0])
        .put("size", Long.parseLong(digestAndSize[1]));
  }

}
