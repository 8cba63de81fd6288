package dev.ignis.plugin.dockerbridge;

import com.github.dockerjava.api.exception.NotFoundException;
import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * The image of sandbox containers. The default one is made offline, never pulled: a rootfs of
 * the host's static busybox (2 MB), imported into Docker as {@code ignis/sandbox:1}. A
 * sandbox only holds the VM's network namespace; its one process sleeps until stopped.
 */
final class SandboxImage {

  /** What the sandbox runs: sleeps, and exits at once on SIGTERM. */
  static final List<String> COMMAND = List.of("/bin/busybox", "sh", "-c",
      "trap 'exit 0' TERM INT; while :; do sleep 3600 & wait $!; done");

  private final DockerSettings settings;
  private final Path lockFile;

  SandboxImage(DockerSettings settings, Path stateDir) {
    this.settings = settings;
    this.lockFile = stateDir.resolve("image.lock");
  }

  /** The image name. */
  String name() {
    return settings.sandboxImage();
  }

  /** Makes sure Docker has the image; returns true if it was built now. */
  boolean ensure(DockerEngine engine) {
    if (present(engine)) {
      return false;
    }
    if (!settings.buildsOwnImage()) {
      throw new IgnisException(ErrorCode.NOT_FOUND, "sandbox image " + name() + " is not in Docker at "
          + engine.host() + " and docker-bridge never pulls; load it (docker load or docker import) or remove"
          + " plugin.docker-bridge.sandbox-image to use the built-in one");
    }
    try {
      Files.createDirectories(lockFile.getParent());
    } catch (IOException e) {
      throw new IgnisException(ErrorCode.IO_FAILURE, "cannot create " + lockFile.getParent() + ": " + e.getMessage(), e);
    }
    // Threads of one process queue on the monitor (a second file lock there would throw),
    // processes on the file lock.
    synchronized (SandboxImage.class) {
      return buildLocked(engine);
    }
  }

  private boolean buildLocked(DockerEngine engine) {
    try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
         FileLock lock = channel.lock()) {
      if (present(engine)) {
        return false; // another process built it meanwhile
      }
      byte[] rootfs = rootfs(Path.of(settings.busybox()));
      String[] nameAndTag = name().split(":", 2);
      engine.importImage(nameAndTag[0], nameAndTag[1], rootfs);
      return true;
    } catch (IOException e) {
      throw new IgnisException(ErrorCode.IO_FAILURE, "cannot lock " + lockFile + ": " + e.getMessage(), e);
    }
  }

  private boolean present(DockerEngine engine) {
    try {
      engine.client().inspectImageCmd(name()).exec();
      return true;
    } catch (NotFoundException e) {
      return false;
    } catch (RuntimeException e) {
      throw DockerFailures.translate(engine.host(), "look up the sandbox image " + name(), e);
    }
  }

  /** A tar of the sandbox's rootfs: busybox, the links the command uses and empty mount points. */
  static byte[] rootfs(Path busybox) {
    if (!Files.isRegularFile(busybox)) {
      throw new IgnisException(ErrorCode.PLUGIN_NOT_AVAILABLE, "no busybox at " + busybox + " to build the sandbox image"
          + " from; install busybox-static (apt-get install busybox-static) or set plugin.docker-bridge.busybox");
    }
    if (!StaticElf.isStatic(busybox)) {
      throw new IgnisException(ErrorCode.PLUGIN_NOT_AVAILABLE, busybox + " is not a static executable and cannot run"
          + " alone in the sandbox image; install busybox-static or set plugin.docker-bridge.busybox");
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(3 << 20);
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
      for (String dir : List.of("bin/", "dev/", "etc/", "proc/", "sys/", "tmp/")) {
        TarArchiveEntry entry = new TarArchiveEntry(dir);
        entry.setMode(dir.equals("tmp/") ? 01777 : 0755);
        tar.putArchiveEntry(entry);
        tar.closeArchiveEntry();
      }
      TarArchiveEntry binary = new TarArchiveEntry("bin/busybox");
      binary.setMode(0755);
      binary.setSize(Files.size(busybox));
      tar.putArchiveEntry(binary);
      Files.copy(busybox, tar);
      tar.closeArchiveEntry();
      for (String applet : List.of("sh", "sleep")) {
        TarArchiveEntry link = new TarArchiveEntry("bin/" + applet, TarArchiveEntry.LF_SYMLINK);
        link.setLinkName("busybox");
        tar.putArchiveEntry(link);
        tar.closeArchiveEntry();
      }
    } catch (IOException e) {
      throw new IgnisException(ErrorCode.IO_FAILURE, "cannot read " + busybox + ": " + e.getMessage(), e);
    }
    return bytes.toByteArray();
  }
}
