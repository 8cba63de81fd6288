package dev.ignis.runtime.image.kernel;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ignis.runtime.image.NamedStore;
import dev.ignis.spi.CommandRunner;
import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Imports a kernel file into {@link Kernels}: a {@code vmlinux} as it is, a {@code bzImage} or
 * {@code vmlinuz} uncompressed to its vmlinux, or a Debian {@code linux-image-*} package (its
 * kernel and the modules a guest needs). Every kernel is checked before it is stored: an x86-64
 * ELF with a PVH entry point, which is what QEMU's microvm boots.
 */
public final class KernelImporter {

  static final String VMLINUX = "vmlinux";
  static final String MODULES = "modules.cpio";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Kernels kernels;
  private final CommandRunner commands;

  public KernelImporter(Kernels kernels, CommandRunner commands) {
    this.kernels = kernels;
    this.commands = commands;
  }

  /** What an import did: the kernel, whether it was new, and how long it took. */
  public record Result(Kernels.Kernel kernel, boolean imported, long millis) {}

  /**
   * Imports {@code file} (absolute), named {@code name} or else by its release; a kernel already
   * stored only gets the name.
   */
  public Result importKernel(Path file, Optional<String> name) {
    long start = System.nanoTime();
    name.ifPresent(Kernels::normalized); // a bad name is refused before any work
    String what = file.toString();
    if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
      throw new IgnisException(ErrorCode.INVALID_ARGUMENT, "no readable file " + file + "; give a vmlinux, a bzImage"
          + " (vmlinuz) or a Debian linux-image package");
    }
    byte[] head = head(file);
    kernels.removeLeftovers();
    NamedStore.WorkDir running = kernels.newWorkDir();
    Path work = running.dir();
    try (running) {
      Path vmlinux = work.resolve(VMLINUX);
      String format;
      String release = "";
      byte[] modules = null;
      List<String> moduleNames = List.of();
      if (Vmlinux.isElf(head)) {
        format = "vmlinux";
        Files.copy(file, vmlinux);
      } else if (BzImage.is(head)) {
        format = "bzImage";
        BzImage.extract(file, vmlinux, what);
      } else if (DebianKernelPackage.is(head)) {
        format = "deb";
        DebianKernelPackage.Contents contents = DebianKernelPackage.unpack(file, work, commands, what);
        BzImage.extract(contents.vmlinuz(), vmlinux, what + " (" + contents.vmlinuz().getFileName() + ")");
        release = contents.release();
        modules = contents.modulesArchive();
        moduleNames = contents.modules();
        NamedStore.deleteTree(work.resolve("package"));
      } else {
        throw new IgnisException(ErrorCode.INVALID_ARGUMENT, what + " is not a kernel Ignis knows; give a vmlinux"
            + " (ELF), a bzImage (vmlinuz) or a Debian linux-image package");
      }
      Vmlinux kernel = Vmlinux.read(vmlinux, what);
      release = release.isEmpty() ? kernel.release() : release;
      if (modules != null) {
        Files.write(work.resolve(MODULES), modules);
      }
      String id = digest(vmlinux, modules);
      List<String> names = name.map(List::of).orElse(release.isEmpty() ? List.of() : List.of(release));
      boolean fresh = !kernels.has(id);
      ObjectNode description = JSON.createObjectNode().put("source", what).put("format", format)
          .put("release", release).put("sizeBytes", Files.size(vmlinux));
      moduleNames.forEach(description.putArray("modules")::add);
      Kernels.Kernel stored = kernels.add(id, work, names, description);
      return new Result(stored, fresh, (System.nanoTime() - start) / 1_000_000);
    } catch (IOException e) {
      throw new IgnisException(ErrorCode.IO_FAILURE, "cannot import " + what + ": " + e.getMessage(), e);
    } finally {
      try {
        NamedStore.deleteTree(work); // gone already when the kernel was stored (moved into the store)
      } catch (IOException e) {
        // left for the next import or gc, which remove unlocked work dirs
      }
    }
  }

  private static byte[] head(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      return in.readNBytes(0x210);
    } catch (IOException e) {
      throw new IgnisException(ErrorCode.INVALID_ARGUMENT, "cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  private static String digest(Path vmlinux, byte[] modules) throws IOException {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      try (InputStream in = Files.newInputStream(vmlinux)) {
        byte[] buffer = new byte[1 << 16];
        for (int n; (n = in.read(buffer)) > 0; ) {
          sha.update(buffer, 0, n);
        }
      }
      if (modules != null) {
        sha.update(modules);
      }
      return "sha256:" + HexFormat.of().formatHex(sha.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java has SHA-256", e);
    }
  }
}
