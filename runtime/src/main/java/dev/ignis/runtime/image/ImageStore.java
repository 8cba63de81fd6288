package dev.ignis.runtime.image;

import dev.ignis.runtime.image.kernel.Kernels;
import dev.ignis.runtime.vm.FileLock;
import dev.ignis.spi.Command;
import dev.ignis.spi.CommandRunner;
import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Kernels and initrds VMs boot: the default image (the lean kernel and Ignis' initramfs), built
 * once by the installation's {@code bin/build-default-image} and kept in the images dir; an
 * imported kernel ({@link Kernels}); or files the user names. Thread-safe; concurrent builds wait
 * for each other.
 */
public final class ImageStore {

  /**
   * A kernel and initrd that exist and are readable, and the kernel's modules (a cpio archive to
   * append to the initrd) if it has any.
   */
  public record Image(Path kernel, Path initrd, Optional<Path> modules) {}

  private final Path imagesDir;
  private final Optional<Path> installDir;
  private final CommandRunner commands;
  private final PrintStream err;

  private final Kernels kernels;

  public ImageStore(Path imagesDir, Optional<Path> installDir, CommandRunner commands, PrintStream err,
      Kernels kernels) {
    this.kernels = kernels;
    this.imagesDir = imagesDir;
    this.installDir = installDir;
    this.commands = commands;
    this.err = err;
  }

  /**
   * What a VM boots: its kernel (a file, an imported kernel's id {@code sha256:...}, or the
   * default image's when empty) and its initrd (a file, or the default image's when empty).
   */
  public Image resolve(String kernel, String initrd) {
    Path kernelFile = null;
    Optional<Path> modules = Optional.empty();
    if (kernel.startsWith("sha256:")) {
      Kernels.Kernel imported = kernels.find(kernel);
      kernelFile = imported.vmlinux();
      modules = imported.modules();
    } else if (!kernel.isEmpty()) {
      kernelFile = readable(Path.of(kernel), "--kernel");
    }
    Path initrdFile = initrd.isEmpty() ? null : readable(Path.of(initrd), "--initrd");
    if (kernelFile == null || initrdFile == null) {
      Image defaults = defaultImage();
      kernelFile = kernelFile == null ? defaults.kernel() : kernelFile;
      initrdFile = initrdFile == null ? defaults.initrd() : initrdFile;
    }
    return new Image(kernelFile, initrdFile, modules);
  }

  /**
   * The default image's kernel release ({@code uname -r}), from its {@code kernel-release} file
   * or, for an image built before there was one, its {@code VERSION} file; empty if not built.
   */
  public String defaultKernelRelease() {
    Path dir = imagesDir.resolve("default");
    try {
      if (Files.isReadable(dir.resolve("kernel-release"))) {
        return Files.readString(dir.resolve("kernel-release")).strip();
      }
      if (Files.isReadable(dir.resolve("VERSION"))) { // "linux-image-6.1.0-41-amd64 busybox-static ..."
        String word = Files.readString(dir.resolve("VERSION")).strip().split("\\s+")[0];
        return word.startsWith("linux-image-") ? word.substring("linux-image-".length()) : word;
      }
    } catch (java.io.IOException e) {
      return "";
    }
    return "";
  }

  /** Whether the default image is built (a first run builds it, which takes a minute). */
  public boolean hasDefaultImage() {
    Path dir = imagesDir.resolve("default");
    return Files.isReadable(dir.resolve("vmlinux")) && Files.isReadable(dir.resolve("initrd.img"));
  }

  /**
   * Whether the default image is built and its init takes its address by DHCP when told to
   * ({@code ignis.net=dhcp}; {@code init-revision} 2 or later): an image built by an older
   * installation does not, and boots with its address on the command line instead.
   */
  public boolean defaultImageTakesDhcp() {
    return defaultImageRevision() >= 2;
  }

  /**
   * The revision of the built default image's init ({@code init-revision}); 0 when it is not
   * built or was built before there were revisions. 4 and later configure several network cards.
   */
  public int defaultImageRevision() {
    try {
      return hasDefaultImage() ? Integer.parseInt(Files.readString(imagesDir.resolve("default/init-revision")).strip()) : 0;
    } catch (java.io.IOException | NumberFormatException e) {
      return 0; // no revision: built before there was one
    }
  }

  /** The default image's directory, for messages. */
  public Path defaultImageDir() {
    return imagesDir.resolve("default");
  }

  /** The default image, built first if it is not there yet. */
  public Image defaultImage() {
    Path dir = imagesDir.resolve("default");
    Image image = new Image(dir.resolve("vmlinux"), dir.resolve("initrd.img"), Optional.empty());
    if (Files.isReadable(image.kernel()) && Files.isReadable(image.initrd())) {
      return image;
    }
    try {
      Files.createDirectories(imagesDir);
    } catch (java.io.IOException e) {
      throw new IgnisException(ErrorCode.IO_FAILURE, "cannot create the images dir " + imagesDir + ": " + e.getMessage(), e);
    }
    try (FileLock lock = FileLock.acquire(imagesDir.resolve(".build.lock"), Duration.ofMinutes(45), "the image build")) {
      if (!Files.isReadable(image.kernel()) || !Files.isReadable(image.initrd())) {
        build(dir);
      }
    }
    return image;
  }

  private void build(Path dir) {
    Path script = installDir.map(home -> home.resolve("bin/build-default-image"))
        .filter(Files::isExecutable)
        .orElseThrow(() -> new IgnisException(ErrorCode.NOT_FOUND, "the default image is not built and no"
            + " bin/build-default-image was found; run it from an Ignis installation or pass --kernel and --initrd"));
    err.println("building the default VM image from Debian packages (once; with the kernel's build about"
        + " 6 minutes on 2 cores, 10 s when the kernel is in the cache)...");
    commands.run(Command.of(script.toString(), dir.toString()).withTimeout(Duration.ofMinutes(45)))
        .orThrow(ErrorCode.IO_FAILURE);
  }

  private static Path readable(Path file, String flag) {
    if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
      throw new IgnisException(ErrorCode.INVALID_ARGUMENT, flag + " " + file + " is missing or unreadable; give a readable file");
    }
    return file.toAbsolutePath();
  }
}
