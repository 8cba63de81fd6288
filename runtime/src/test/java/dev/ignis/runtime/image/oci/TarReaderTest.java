package dev.ignis.runtime.image.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TarReaderTest {

  private static List<TarEntry> entries(byte[] tar) throws Exception {
    TarReader reader = new TarReader(new ByteArrayInputStream(tar), "test.tar");
    List<TarEntry> entries = new ArrayList<>();
    for (Optional<TarEntry> next = reader.next(); next.isPresent(); next = reader.next()) {
      entries.add(next.get());
    }
    return entries;
  }

  @Test
  void readsMembersOfEveryKind_andTheContentOfFiles() throws Exception {
    byte[] tar = new TestTar(0).dir("etc/").file("etc/motd", "hello\n", 04755).symlink("bin/sh", "busybox")
        .hardlink("bin/ash", "bin/busybox").device("dev/null", '3', 1, 3).bytes();
    TarReader reader = new TarReader(new ByteArrayInputStream(tar), "test.tar");
    assertThat(reader.next().orElseThrow().type()).isEqualTo(TarEntry.Type.DIRECTORY);
    TarEntry motd = reader.next().orElseThrow();
    assertThat(motd.mode()).isEqualTo(04755);
    assertThat(new String(reader.content().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("hello\n");
    TarEntry sh = reader.next().orElseThrow();
    assertThat(sh.type()).isEqualTo(TarEntry.Type.SYMLINK);
    assertThat(sh.linkName()).isEqualTo("busybox");
    assertThat(reader.next().orElseThrow().type()).isEqualTo(TarEntry.Type.HARDLINK);
    TarEntry dev = reader.next().orElseThrow();
    assertThat(dev.type()).isEqualTo(TarEntry.Type.CHAR_DEVICE);
    assertThat(dev.devMajor()).isEqualTo(1);
    assertThat(dev.devMinor()).isEqualTo(3);
    assertThat(reader.next()).isEmpty();
  }

  @Test
  void paxHeaders_giveLongNames_bigIds_andBinaryExtendedAttributesByteForByte() throws Exception {
    byte[] capability = {0x01, 0x00, 0x00, 0x02, (byte) 0x80, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    String longName = "usr/share/" + "a".repeat(120) + "/file";
    byte[] tar = new TestTar(0).member("short", '0', "x".getBytes(), 0755, "", Map.of(
        "path", longName.getBytes(StandardCharsets.UTF_8), "uid", "4000000000".getBytes(),
        "SCHILY.xattr.security.capability", capability)).bytes();
    TarEntry entry = entries(tar).get(0);
    assertThat(entry.name()).isEqualTo(longName);
    assertThat(entry.uid()).isEqualTo(4_000_000_000L);
    assertThat(entry.xattrs().get("security.capability")).isEqualTo(capability);
  }

  @Test
  void notATar_isRefusedInOneLine() {
    byte[] garbage = new byte[1024];
    java.util.Arrays.fill(garbage, (byte) 'x');
    assertThatThrownBy(() -> entries(garbage)).hasMessage("test.tar is not a readable tar archive: a header's checksum"
        + " does not match (not a tar archive, or a damaged one)");
  }
}
