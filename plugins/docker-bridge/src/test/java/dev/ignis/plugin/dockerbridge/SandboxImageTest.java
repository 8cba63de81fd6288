package dev.ignis.plugin.dockerbridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SandboxImageTest {

  @TempDir Path dir;

  /** A minimal 64-bit little-endian ELF: header plus one program header of the given type. */
  private Path elf(String name, int programHeaderType) throws IOException {
    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(64 + 56).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    b.putInt(0, 0x464c457f).put(4, (byte) 2).put(5, (byte) 1);
    b.putLong(32, 64).putShort(54, (short) 56).putShort(56, (short) 1);
    b.putInt(64, programHeaderType);
    return Files.write(dir.resolve(name), b.array());
  }

  @Test
  void staticElf_isToldFromDynamicOnes() throws IOException {
    assertThat(StaticElf.isStatic(elf("static", 1))).isTrue();
    assertThat(StaticElf.isStatic(elf("dynamic", 3))).isFalse();
    assertThat(StaticElf.isStatic(Files.writeString(dir.resolve("script"), "#!/bin/sh\n"))).isFalse();
  }

  @Test
  void rootfs_holdsBusyboxItsLinksAndMountPoints() throws IOException {
    Path busybox = elf("busybox", 1);
    Map<String, TarArchiveEntry> entries = new LinkedHashMap<>();
    byte[] content = null;
    try (TarArchiveInputStream tar = new TarArchiveInputStream(new ByteArrayInputStream(SandboxImage.rootfs(busybox)))) {
      for (TarArchiveEntry entry; (entry = tar.getNextEntry()) != null; ) {
        entries.put(entry.getName(), entry);
        if (entry.getName().equals("bin/busybox")) {
          content = tar.readAllBytes();
        }
      }
    }
    assertThat(entries).containsKeys("bin/", "dev/", "etc/", "proc/", "sys/", "tmp/", "bin/busybox", "bin/sh",
        "bin/sleep");
    assertThat(entries.get("bin/busybox").getMode() & 0777).isEqualTo(0755);
    assertThat(content).isEqualTo(Files.readAllBytes(busybox));
    assertThat(entries.get("bin/sh").isSymbolicLink()).isTrue();
    assertThat(entries.get("bin/sh").getLinkName()).isEqualTo("busybox");
    assertThat(entries.get("tmp/").getMode() & 01777).isEqualTo(01777);
  }

  @Test
  void rootfs_refusesADynamicOrMissingBusybox() throws IOException {
    assertThatThrownBy(() -> SandboxImage.rootfs(elf("busybox", 3)))
        .hasMessageEndingWith("is not a static executable and cannot run alone in the sandbox image; install"
            + " busybox-static or set plugin.docker-bridge.busybox");
    assertThatThrownBy(() -> SandboxImage.rootfs(dir.resolve("none")))
        .hasMessageContaining("install busybox-static (apt-get install busybox-static)");
  }
}
