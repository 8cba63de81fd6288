package dev.ignis.plugin.cni;

import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The attachments this installation made, by cache key, in the plugin's state dir. The CNI
 * cache is shared with every CNI runtime on the host; the journal is what lets {@code gc}
 * reclaim only Ignis' own attachments. An entry is written before ADD and removed after DEL.
 */
final class AttachmentJournal {

  private final Path dir;

  AttachmentJournal(Path stateDir) {
    this.dir = stateDir.resolve("attachments");
  }

  /** One journalled attachment. */
  record Item(String network, String containerId, String ifName) {
    String key() {
      return network + "-" + containerId + "-" + ifName;
    }
  }

  void record(Item item) {
    try {
      Files.createDirectories(dir);
      Files.writeString(dir.resolve(item.key()), item.network() + "\n" + item.containerId() + "\n" + item.ifName() + "\n");
    } catch (IOException e) {
      throw new IgnisException(ErrorCode.IO_FAILURE, "cannot write the attachment journal " + dir + ": " + e.getMessage(), e);
    }
  }

  void forget(Item item) {
    try {
      Files.deleteIfExists(dir.resolve(item.key()));
    } catch (IOException e) {
      throw new IgnisException(ErrorCode.IO_FAILURE, "cannot update the attachment journal " + dir + ": " + e.getMessage(), e);
    }
  }

  List<Item> items() {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> entries = Files.list(dir)) {
      List<Item> items = new java.util.ArrayList<>();
      for (Path file : entries.sorted().toList()) {
        List<String> lines = Files.readAllLines(file);
        if (lines.size() >= 3) {
          items.add(new Item(lines.get(0), lines.get(1), lines.get(2)));
        }
      }
      return items;
    } catch (IOException e) {
      throw new IgnisException(ErrorCode.IO_FAILURE, "cannot list the attachment journal " + dir + ": " + e.getMessage(), e);
    }
  }
}
