package dev.ignis.runtime.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CopyFilesTest {

  @TempDir Path dir;

  @Test
  void mappings_needAbsoluteGuestPathsWithoutDotDot() {
    CopyFiles.checkMapping("/host/a:/etc/a");
    for (String bad : List.of("/host/a", "/host/a:etc/a", "relative:/etc/a", "/host/a:/", "/host/a:/etc/../x",
        "/host/a:/etc/a\nb")) {
      assertThatThrownBy(() -> CopyFiles.checkMapping(bad)).as(bad).hasMessageStartingWith("--copy-files");
    }
  }

  @Test
  void theArchive_holdsEachFileAndDirectoryWithItsMode_andTheListOfGuestPaths() throws Exception {
    Path tree = dir.resolve("tree");
    Files.createDirectories(tree.resolve("sub"));
    Path script = Files.writeString(tree.resolve("run.sh"), "#!/bin/sh\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-x---"));
    Path single = Files.writeString(dir.resolve("one"), "one");
    String archive = new String(CopyFiles.archive(List.of(single + ":/etc/one", tree + ":/opt/tree/")),
        StandardCharsets.ISO_8859_1);
    assertThat(archive).contains("ignis/files/etc/one\0").contains("ignis/files/opt/tree/sub\0")
        .contains("ignis/files/opt/tree/run.sh\0").contains("/etc/one\n/opt/tree\n");
    int header = archive.indexOf("ignis/files/opt/tree/run.sh\0") - 110;
    assertThat(archive.substring(header + 14, header + 22)).as("mode").isEqualTo(String.format("%08X", 0100750));
    assertThatThrownBy(() -> CopyFiles.archive(List.of(dir.resolve("nosuch") + ":/x")))
        .hasMessageEndingWith("nosuch does not exist");
  }
}
