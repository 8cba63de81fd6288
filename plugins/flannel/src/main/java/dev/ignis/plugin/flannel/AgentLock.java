package dev.ignis.plugin.flannel;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The one agent of a node: it holds an exclusive lock on {@value #FILE} in the plugin's state
 * dir for as long as it runs, in ignisd or in a process of its own. The kernel drops the lock
 * with its process, so a killed agent never looks alive, and two never run at once.
 *
 * <p>Who holds it is read from {@code /proc/locks}, never by opening the file: a process's
 * POSIX locks go when it closes any descriptor of the file, so a status asked inside the
 * agent's own process (ignisd) must not open it.
 */
final class AgentLock implements AutoCloseable {

  static final String FILE = "agent.lock";

  private final FileChannel channel;
  private final FileLock lock;

  private AgentLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /** Takes the lock, trying for {@code patience} (a status may hold it for a moment); empty if another agent has it. */
  static Optional<AgentLock> take(Path stateDir, Duration patience) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + patience.toNanos();
    while (true) {
      if (holder(stateDir).isEmpty()) {
        FileChannel channel = FileChannel.open(stateDir.resolve(FILE), StandardOpenOption.CREATE,
            StandardOpenOption.WRITE);
        try {
          FileLock lock = channel.tryLock();
          if (lock != null) {
            return Optional.of(new AgentLock(channel, lock));
          }
        } catch (OverlappingFileLockException e) {
          // Held in this JVM after all; closing our channel below would drop it, so keep it open.
          return Optional.empty();
        }
        channel.close();
      }
      if (System.nanoTime() > deadline) {
        return Optional.empty();
      }
      Thread.sleep(100);
    }
  }

  /** The pid of the process whose agent holds the lock, if one does. */
  static OptionalLong holder(Path stateDir) {
    Path file = stateDir.resolve(FILE);
    try {
      if (!Files.exists(file)) {
        return OptionalLong.empty();
      }
      long dev = (Long) Files.getAttribute(file, "unix:dev");
      long inode = (Long) Files.getAttribute(file, "unix:ino");
      String id = String.format(":%02x:%d", minor(dev), inode);
      String major = String.format("%02x", major(dev));
      for (String line : Files.readAllLines(Path.of("/proc/locks"))) {
        String[] fields = line.strip().split("\\s+"); // "1: POSIX ADVISORY WRITE 1234 fe:00:5678 0 EOF"
        if (fields.length >= 6 && !fields[1].equals("->") && fields[3].equals("WRITE")
            && fields[5].endsWith(id) && fields[5].startsWith(major + ":")) {
          return OptionalLong.of(Long.parseLong(fields[4]));
        }
      }
    } catch (IOException | RuntimeException e) {
      return OptionalLong.empty(); // unreadable: as if none ran; a second agent finds the lock taken
    }
    return OptionalLong.empty();
  }

  /** How a holder is named to the user: its pid, and that it is ignisd when it is. */
  static String describe(long pid) {
    return isIgnisd(pid) ? "in ignisd, pid " + pid : "pid " + pid;
  }

  /** Whether the process is an ignisd (its command line names the daemon's main class). */
  static boolean isIgnisd(long pid) {
    try {
      return Files.readString(Path.of("/proc", String.valueOf(pid), "cmdline"), java.nio.charset.StandardCharsets.ISO_8859_1)
          .contains("dev.ignis.runtime.daemon.Ignisd");
    } catch (IOException e) {
      return false;
    }
  }

  // The major and minor numbers of a st_dev, as glibc's gnu_dev_major and gnu_dev_minor.
  private static long major(long dev) {
    return ((dev >>> 8) & 0xfff) | ((dev >>> 32) & ~0xfffL);
  }

  private static long minor(long dev) {
    return (dev & 0xff) | ((dev >>> 12) & ~0xffL);
  }

  @Override
  public void close() throws IOException {
    lock.release();
    channel.close();
  }
}
