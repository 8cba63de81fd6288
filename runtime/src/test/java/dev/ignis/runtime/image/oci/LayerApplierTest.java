package dev.ignis.runtime.image.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LayerApplierTest {

  @TempDir
  Path work;

  /** The test's own uid: without root, members can only be given to it. */
  private final int uid = TestTar.ownUid();

  private Path apply(LayerApplier applier, TestTar layer) throws Exception {
    applier.apply(new ByteArrayInputStream(layer.bytes()), "layer");
    return work.resolve("root");
  }

  @Test
  void upperLayersReplace_whiteoutsRemove_opaqueDirectoriesDropTheLowerContent() throws Exception {
    Path root = Files.createDirectories(work.resolve("root"));
    LayerApplier applier = new LayerApplier(root);
    apply(applier, new TestTar(uid).file("etc/gone", "x", 0644).file("etc/kept", "lower", 0644)
        .file("opt/dir/a", "a", 0644).file("opt/dir/sub/c", "c", 0644).symlink("bin/sh", "busybox"));
    apply(applier, new TestTar(uid).file("etc/.wh.gone", "", 0644).file("opt/dir/.wh..wh..opq", "", 0644)
        .file("opt/dir/b", "b", 0644).file("etc/kept", "upper", 0600).file("bin/sh", "a file now", 0755));
    assertThat(root.resolve("etc/gone")).doesNotExist();
    assertThat(root.resolve("etc/kept")).hasContent("upper");
    assertThat(Files.getAttribute(root.resolve("etc/kept"), "unix:mode")).isEqualTo(0100600);
    assertThat(root.resolve("opt/dir/a")).doesNotExist();
    assertThat(root.resolve("opt/dir/sub")).doesNotExist();
    assertThat(root.resolve("opt/dir/b")).hasContent("b");
    assertThat(Files.isSymbolicLink(root.resolve("bin/sh"))).isFalse();
    assertThat(root.resolve("opt/dir/.wh..wh..opq")).doesNotExist();
  }

  @Test
  void symlinksOnTheWay_resolveInsideTheImage_neverOnTheHost() throws Exception {
    Path root = Files.createDirectories(work.resolve("root"));
    Path outside = Files.createDirectories(work.resolve("outside"));
    LayerApplier applier = new LayerApplier(root);
    apply(applier, new TestTar(uid).symlink("etc", outside.toString()).symlink("up", "../../..")
        .symlink("lib", "usr/lib").dir("usr/lib/"));
    apply(applier, new TestTar(uid).file("etc/passwd", "x", 0644).file("up/escaped", "x", 0644)
        .file("lib/libc.so", "x", 0644));
    assertThat(outside.resolve("passwd")).doesNotExist();
    assertThat(work.resolve("escaped")).doesNotExist();
    assertThat(root.resolve(outside.toString().substring(1)).resolve("passwd")).as("where the image's /etc points")
        .exists();
    assertThat(root.resolve("escaped")).as("'..' stops at the image's root").exists();
    assertThat(root.resolve("usr/lib/libc.so")).exists();
  }

  @Test
  void dotDotMembers_andHardLinksOutOfTheImage_areRefused() throws Exception {
    Path root = Files.createDirectories(work.resolve("root"));
    LayerApplier applier = new LayerApplier(root);
    assertThatThrownBy(() -> apply(applier, new TestTar(uid).file("../evil", "x", 0644)))
        .hasMessageContaining("names '..'");
    assertThatThrownBy(() -> apply(applier, new TestTar(uid).hardlink("bin/x", "/etc/shadow")))
        .hasMessageContaining("not a file of the image");
    assertThat(work.resolve("evil")).doesNotExist();
  }

  @Test
  void devicesAndExtendedAttributes_areCollectedForTheImage_notMadeOnTheHost() throws Exception {
    Path root = Files.createDirectories(work.resolve("root"));
    LayerApplier applier = new LayerApplier(root);
    apply(applier, new TestTar(uid).device("dev/null", '3', 1, 3).member("bin/ping", '0', new byte[] {1}, 0755, "",
        java.util.Map.of("SCHILY.xattr.security.capability", new byte[] {1, 2, (byte) 0x80})));
    assertThat(Files.exists(root.resolve("dev/null"), LinkOption.NOFOLLOW_LINKS)).isFalse();
    assertThat(applier.specials()).containsOnlyKeys("/dev/null", "/bin/ping");
    assertThat(applier.specials().get("/dev/null").node()).isEqualTo('c');
    assertThat(applier.specials().get("/bin/ping").xattrs().get("security.capability")).containsExactly(1, 2, 0x80);
    apply(applier, new TestTar(uid).file("dev/.wh.null", "", 0644));
    assertThat(applier.specials()).containsOnlyKeys("/bin/ping");
  }
}
