package dev.ignis.runtime.image.oci;

import dev.ignis.spi.Command;
import dev.ignis.spi.CommandRunner;
import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.Map;

/**
 * Writes an image's root directory as an ext4 file without mounting anything: {@code mkfs.ext4
 * -d} (e2fsprogs) copies the tree with owners, modes, times and hard links, then one {@code
 * debugfs -w} run adds what the directory could not hold ({@link LayerApplier.Special}: device
 * nodes, FIFOs, extended attributes). Sized to the content with room to spare; a VM grows its
 * own copy.
 */
final class RootfsWriter {

  private static final long MIB = 1 << 20;
  private static final Duration TIMEOUT = Duration.ofMinutes(10);

  private final CommandRunner commands;

  RootfsWriter(CommandRunner commands) {
    this.commands = commands;
  }

  /** Writes {@code image} from {@code rootDir} and the specials; returns its size in bytes. */
  long write(Path rootDir, Map<String, LayerApplier.Special> specials, Path image, Path workDir) throws IOException {
    long[] usage = usage(rootDir);
    long inodes = usage[1] + specials.size() + 1024 + usage[1] / 4;
    // Content in 4 KiB blocks, a quarter more for the file system's own, and 64 MiB to write in.
    long bytes = ((usage[0] * 5 / 4 + inodes * 256) / MIB + 64) * MIB;
    run(Command.of("mkfs.ext4", "-q", "-F", "-t", "ext4", "-b", "4096", "-N", String.valueOf(inodes), "-L", "ignis-root",
        "-E", "root_owner=0:0", "-d", rootDir.toString(), image.toString(), (bytes / 1024) + "k"), "mkfs.ext4");
    if (!specials.isEmpty()) {
      Path script = workDir.resolve("debugfs.commands");
      StringBuilder commands = new StringBuilder();
      int n = 0;
      for (Map.Entry<String, LayerApplier.Special> entry : specials.entrySet()) {
        String path = quoted(entry.getKey());
        LayerApplier.Special special = entry.getValue();
        if (special.node() != '\0') {
          // debugfs makes the node in its current directory, under the name as given
          int slash = entry.getKey().lastIndexOf('/');
          commands.append("cd ").append(quoted(slash == 0 ? "/" : entry.getKey().substring(0, slash))).append('\n');
          commands.append("mknod ").append(quoted(entry.getKey().substring(slash + 1))).append(' ').append(special.node());
          if (special.node() != 'p') {
            commands.append(' ').append(special.major()).append(' ').append(special.minor());
          }
          commands.append('\n');
          int type = special.node() == 'c' ? 0020000 : special.node() == 'b' ? 0060000 : 0010000;
          commands.append("sif ").append(path).append(" mode 0").append(Integer.toOctalString(type | special.mode()))
              .append('\n');
          commands.append("sif ").append(path).append(" uid ").append(special.uid()).append('\n');
          commands.append("sif ").append(path).append(" gid ").append(special.gid()).append('\n');
          commands.append("cd /\n");
        }
        for (Map.Entry<String, byte[]> xattr : special.xattrs().entrySet()) {
          Path value = workDir.resolve("xattr-" + n++);
          Files.write(value, xattr.getValue());
          commands.append("ea_set -f ").append(quoted(value.toString())).append(' ').append(path).append(' ')
              .append(quoted(xattr.getKey())).append('\n');
        }
      }
      Files.writeString(script, commands);
      run(Command.of("debugfs", "-w", "-f", script.toString(), image.toString()), "debugfs");
    }
    return Files.size(image);
  }

  private void run(Command command, String what) {
    var result = commands.run(command.withTimeout(TIMEOUT));
    // debugfs reports a failed request on stderr but exits 0: its messages count as failure.
    String errors = result.stderr().lines().filter(line -> !line.startsWith("debugfs ")).reduce("", (a, b) -> a + b + "; ");
    if (result.exitCode() != 0 || what.equals("debugfs") && !errors.isBlank()) {
      throw new IgnisException(ErrorCode.IO_FAILURE, what + " failed writing the image: " + (errors.isBlank()
          ? "exit " + result.exitCode() : errors.strip()) + (what.equals("mkfs.ext4")
          ? " (needs e2fsprogs 1.43 or later: apt-get install e2fsprogs)" : ""));
    }
  }

  /** A debugfs argument: double-quoted; a name it cannot quote is refused. */
  private static String quoted(String text) {
    if (text.contains("\"") || text.contains("\n") || text.contains("\\")) {
      throw new IgnisException(ErrorCode.NOT_SUPPORTED, "the image has a device node or extended attribute on '" + text
          + "', whose name debugfs cannot take");
    }
    return "\"" + text + "\"";
  }

  /** Bytes in 4 KiB blocks, and the number of inodes, of a tree. */
  private static long[] usage(Path rootDir) throws IOException {
    long[] usage = new long[2];
    Files.walkFileTree(rootDir, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes) {
        usage[0] += 4096;
        usage[1]++;
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
        usage[0] += (attributes.size() + 4095) / 4096 * 4096;
        usage[1]++;
        return FileVisitResult.CONTINUE;
      }
    });
    return usage;
  }

}
