package dev.ignis.plugin.dockerbridge;

import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The plugin's intent journal: one empty file per VM id, written before its sandbox container
 * is created and deleted once it is removed. A crash in between leaves the file, so detach and
 * gc know a container may exist; with no files at all they never need to ask Docker (a host
 * that does not use docker-bridge need not run Docker).
 */
final class SandboxRecords {

  private final Path dir;

  SandboxRecords(Path stateDir) {
    this.dir = stateDir.resolve("sandboxes");
  }

  void add(String vmId) {
    try {
      Files.createDirectories(dir);
      Path file = dir.resolve(vmId);
      if (!Files.exists(file)) {
        Files.createFile(file);
      }
    } catch (IOException e) {
      throw new IgnisException(ErrorCode.IO_FAILURE, "cannot record the sandbox of VM " + vmId + " in " + dir + ": "
          + e.getMessage(), e);
    }
  }

  boolean contains(String vmId) {
    return Files.exists(dir.resolve(vmId));
  }

  void remove(String vmId) {
    try {
      Files.deleteIfExists(dir.resolve(vmId));
    } catch (IOException e) {
      throw new IgnisException(ErrorCode.IO_FAILURE, "cannot delete " + dir.resolve(vmId) + ": " + e.getMessage(), e);
    }
  }

  List<String> vmIds() {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(f -> f.getFileName().toString()).filter(n -> n.matches("[0-9a-f]{16}")).sorted().toList();
    } catch (IOException e) {
      throw new IgnisException(ErrorCode.IO_FAILURE, "cannot list " + dir + ": " + e.getMessage(), e);
    }
  }
}
