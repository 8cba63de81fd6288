package dev.ignis.runtime.image.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ignis.runtime.exec.ProcessCommandRunner;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole import with the real mkfs.ext4 and debugfs, without root (members owned by the test's user). */
class ImageImporterTest {

  @TempDir
  Path dir;

  private final int uid = TestTar.ownUid();

  private ImageImporter importer() {
    return new ImageImporter(new OciImages(dir.resolve("state")), new ProcessCommandRunner(),
        new DockerEngine(Map.of("DOCKER_HOST", "unix://" + dir.resolve("no-docker.sock"))));
  }

  /** A docker save archive whose second layer entry is a symlink to the first's file, as docker save writes a repeated layer. */
  private Path archive() throws Exception {
    byte[] layer = new TestTar(uid).file("etc/motd", "hello\n", 0644).symlink("bin/sh", "busybox").bytes();
    String diffId = "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(layer));
    String config = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Cmd\":[\"/bin/sh\"]},"
        + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" + diffId + "\",\"" + diffId + "\"]}}";
    String manifest = "[{\"Config\":\"config.json\",\"RepoTags\":[\"unit/test:1\"],"
        + "\"Layers\":[\"one/layer.tar\",\"two/layer.tar\"]}]";
    byte[] archive = new TestTar(uid).file("manifest.json", manifest, 0644).file("config.json", config, 0644)
        .member("one/layer.tar", '0', layer, 0644, "", Map.of()).symlink("two/layer.tar", "../one/layer.tar").bytes();
    return Files.write(dir.resolve("save.tar"), archive);
  }

  @Test
  void aDockerSaveArchive_withALayerLinkedTwice_becomesAnExt4ImageOfItsFiles() throws Exception {
    ImageImporter.Result result = importer().importImage(archive().toString(), Optional.empty());
    assertThat(result.imported()).isTrue();
    assertThat(result.image().names()).containsExactly("unit/test:1");
    Process debugfs = new ProcessBuilder("debugfs", "-R", "cat /etc/motd", result.image().rootfs().toString())
        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    assertThat(new String(debugfs.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("hello\n");
    assertThat(debugfs.waitFor()).isZero();
    assertThat(importer().importImage(archive().toString(), Optional.of("other")).imported()).as("stored once").isFalse();
    try (var left = Files.list(dir.resolve("state/oci-images"))) {
      assertThat(left.map(p -> p.getFileName().toString())).noneMatch(name -> name.startsWith("tmp-"));
    }
  }

  @Test
  void aZstdCompressedLayer_isUncompressedThroughTheZstdProgram_andCheckedAgainstItsDiffId() throws Exception {
    byte[] layer = new TestTar(uid).file("etc/motd", "from zstd\n", 0644).bytes();
    String diffId = "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(layer));
    Process zstd = new ProcessBuilder("zstd", "-q", "-c").start();
    try (var in = zstd.getOutputStream()) {
      in.write(layer);
    }
    byte[] compressed = zstd.getInputStream().readAllBytes();
    assertThat(zstd.waitFor()).isZero();
    String config = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Cmd\":[\"/bin/sh\"]},"
        + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" + diffId + "\"]}}";
    String manifest = "[{\"Config\":\"config.json\",\"RepoTags\":[\"unit/zstd:1\"],\"Layers\":[\"layer.tar.zst\"]}]";
    Path archive = Files.write(dir.resolve("zstd.tar"), new TestTar(uid).file("manifest.json", manifest, 0644)
        .file("config.json", config, 0644).member("layer.tar.zst", '0', compressed, 0644, "", Map.of()).bytes());
    ImageImporter.Result result = importer().importImage(archive.toString(), Optional.empty());
    Process debugfs = new ProcessBuilder("debugfs", "-R", "cat /etc/motd", result.image().rootfs().toString())
        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    assertThat(new String(debugfs.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("from zstd\n");
    assertThat(debugfs.waitFor()).isZero();
  }

  @Test
  void anArchiveWhoseManifestLeadsOutOfIt_isRefused() throws Exception {
    String manifest = "[{\"Config\":\"../../etc/passwd\",\"Layers\":[]}]";
    Path archive = Files.write(dir.resolve("evil.tar"), new TestTar(uid).file("manifest.json", manifest, 0644).bytes());
    assertThatThrownBy(() -> importer().importImage(archive.toString(), Optional.empty()))
        .hasMessageContaining("manifest.json names '../../etc/passwd', which is not a file of the archive");
  }
}
