package dev.ignis.runtime.image.kernel;

import dev.ignis.runtime.image.NewcCpio;
import dev.ignis.runtime.image.ProgramFilter;
import dev.ignis.spi.Command;
import dev.ignis.spi.CommandRunner;
import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A Debian kernel package ({@code linux-image-*.deb}): its {@code /boot/vmlinuz-*} and the
 * modules a guest of Ignis' init needs, since Debian builds its virtio drivers as modules. The
 * modules go into a cpio archive appended to the initrd at boot, as {@code /lib/modules/NAME.ko}
 * with {@code /lib/modules/order} (loaded at every boot) and {@code disk-order} (for a VM of an
 * imported image), each in dependency order. Dependencies are read from each module's {@code
 * depends=} (the package has no {@code modules.dep}: depmod makes it when the package is
 * installed).
 */
final class DebianKernelPackage {

  /** The modules every guest loads: virtio-mmio cards, the network, the power button. */
  static final List<String> BOOT_MODULES = List.of("virtio_mmio", "virtio_net", "button", "evdev");
  /** The modules a VM of an imported image loads besides: its disk, ext4 (and the checksum ext4 asks for by name). */
  static final List<String> DISK_MODULES = List.of("virtio_blk", "crc32c_generic", "ext4");

  /** Whether the file starts as a Debian package does (an ar archive whose first member is debian-binary). */
  static boolean is(byte[] head) {
    return new String(head, 0, Math.min(head.length, 21), StandardCharsets.US_ASCII).equals("!<arch>\ndebian-binary");
  }

  /** What the package holds for Ignis. */
  record Contents(Path vmlinuz, String release, byte[] modulesArchive, List<String> modules) {}

  /** Unpacks the package into {@code work} and reads it; {@code what} names it in errors. */
  static Contents unpack(Path deb, Path work, CommandRunner commands, String what) {
    Path root = work.resolve("package");
    var result = commands.run(Command.of("dpkg-deb", "-x", deb.toString(), root.toString())
        .withTimeout(Duration.ofMinutes(5)));
    if (!result.succeeded()) {
      throw new IgnisException(ErrorCode.INVALID_ARGUMENT, "cannot unpack " + what + ": "
          + (result.stderr() + result.stdout()).strip().lines().findFirst().orElse("dpkg-deb failed")
          + (result.exitCode() == 127 ? " (install dpkg)" : ""));
    }
    try {
      List<Path> kernels = list(root.resolve("boot"), "vmlinuz-");
      if (kernels.size() != 1) {
        throw new IgnisException(ErrorCode.INVALID_ARGUMENT, what + " holds " + kernels.size() + " kernels"
            + " (/boot/vmlinuz-*), not one; give a linux-image package");
      }
      String release = kernels.get(0).getFileName().toString().substring("vmlinuz-".length());
      Path modulesDir = root.resolve("lib/modules").resolve(release);
      if (!Files.isDirectory(modulesDir)) {
        modulesDir = root.resolve("usr/lib/modules").resolve(release); // merged-/usr packages
      }
      Modules files = new Modules(moduleFiles(modulesDir));
      NewcCpio archive = new NewcCpio();
      Set<String> boot = closure(BOOT_MODULES, files);
      Set<String> disk = closure(DISK_MODULES, files);
      disk.removeAll(boot);
      List<String> all = new ArrayList<>(boot);
      all.addAll(disk);
      for (String module : all) {
        archive.file("lib/modules/" + module + ".ko", files.plain(module), 0644);
      }
      archive.file("lib/modules/order", (String.join(" ", boot) + "\n").getBytes(StandardCharsets.US_ASCII), 0644);
      archive.file("lib/modules/disk-order", (String.join(" ", disk) + "\n").getBytes(StandardCharsets.US_ASCII), 0644);
      return new Contents(kernels.get(0), release, all.isEmpty() ? null : archive.bytes(), List.copyOf(all));
    } catch (IOException e) {
      throw new IgnisException(ErrorCode.INVALID_ARGUMENT, "cannot read " + what + ": " + e.getMessage(), e);
    }
  }

  private static List<Path> list(Path dir, String prefix) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.filter(p -> p.getFileName().toString().startsWith(prefix)).sorted().toList();
    }
  }

  /** Module name ({@code virtio_net}, dashes as underscores) to its file. */
  private static Map<String, Path> moduleFiles(Path dir) throws IOException {
    Map<String, Path> files = new TreeMap<>();
    if (!Files.isDirectory(dir)) {
      return files;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.filter(Files::isRegularFile).forEach(file -> {
        String name = file.getFileName().toString();
        int ko = name.indexOf(".ko");
        if (ko > 0 && name.matches(".*\\.ko(\\.xz|\\.zst|\\.gz)?")) {
          files.putIfAbsent(name.substring(0, ko).replace('-', '_'), file);
        }
      });
    }
    return files;
  }

  /**
   * The roots and what they depend on, dependencies first; a root that is no module is built
   * into the kernel (or missing, which the guest then shows).
   */
  /** The package's modules by name, each uncompressed once. */
  private record Modules(Map<String, Path> files, Map<String, byte[]> plain) {
    Modules(Map<String, Path> files) {
      this(files, new java.util.HashMap<>());
    }

    boolean has(String module) {
      return files.containsKey(module);
    }

    byte[] plain(String module) throws IOException {
      byte[] bytes = plain.get(module);
      if (bytes == null) {
        bytes = plainModule(files.get(module));
        plain.put(module, bytes);
      }
      return bytes;
    }
  }

  private static Set<String> closure(List<String> roots, Modules files) throws IOException {
    Set<String> ordered = new LinkedHashSet<>();
    for (String root : roots) {
      visit(root, files, ordered, new LinkedHashSet<>());
    }
    return ordered;
  }

  private static void visit(String module, Modules files, Set<String> ordered, Set<String> path)
      throws IOException {
    if (ordered.contains(module) || !files.has(module) || !path.add(module)) {
      return; // done, built in, or a cycle (modules cannot have one; a broken package could)
    }
    for (String dependency : dependencies(files.plain(module))) {
      visit(dependency, files, ordered, path);
    }
    ordered.add(module);
  }

  /** The module's {@code depends=} list, from its ELF {@code .modinfo} section. */
  static List<String> dependencies(byte[] module) {
    String modinfo = section(module, ".modinfo");
    for (String field : modinfo.split("\0")) {
      if (field.startsWith("depends=")) {
        String value = field.substring("depends=".length()).strip();
        return value.isEmpty() ? List.of() : List.of(value.replace('-', '_').split(","));
      }
    }
    return List.of();
  }

  private static String section(byte[] elf, String wanted) {
    ByteBuffer buffer = ByteBuffer.wrap(elf).order(ByteOrder.LITTLE_ENDIAN);
    if (elf.length < 64 || !Vmlinux.isElf(elf)) {
      return "";
    }
    long sections = buffer.getLong(40);
    int size = Short.toUnsignedInt(buffer.getShort(58));
    int count = Short.toUnsignedInt(buffer.getShort(60));
    int names = Short.toUnsignedInt(buffer.getShort(62));
    if (sections + (long) count * size > elf.length || names >= count) {
      return "";
    }
    long namesAt = buffer.getLong((int) (sections + (long) names * size) + 24);
    for (int i = 0; i < count; i++) {
      int header = (int) (sections + (long) i * size);
      int nameAt = (int) (namesAt + Integer.toUnsignedLong(buffer.getInt(header)));
      if (name(elf, nameAt).equals(wanted)) {
        long offset = buffer.getLong(header + 24);
        long length = buffer.getLong(header + 32);
        if (offset + length <= elf.length) {
          return new String(elf, (int) offset, (int) length, StandardCharsets.ISO_8859_1);
        }
      }
    }
    return "";
  }

  private static String name(byte[] elf, int at) {
    int end = at;
    while (end >= 0 && end < elf.length && elf[end] != 0) {
      end++;
    }
    return at < 0 || end > elf.length ? "" : new String(elf, at, end - at, StandardCharsets.ISO_8859_1);
  }

  /** A module file's bytes, uncompressed (Debian's are xz-compressed; insmod of busybox takes plain ones). */
  private static byte[] plainModule(Path file) throws IOException {
    String name = file.getFileName().toString();
    if (name.endsWith(".xz")) {
      try (InputStream in = ProgramFilter.run(Files.newInputStream(file), file.getFileName().toString(), "xz-utils",
          "xz", "-d", "-c", "-q")) {
        return in.readAllBytes();
      }
    }
    if (name.endsWith(".zst")) {
      try (InputStream in = ProgramFilter.run(Files.newInputStream(file), file.getFileName().toString(), "zstd",
          "zstd", "-d", "-c", "-q")) {
        return in.readAllBytes();
      }
    }
    if (name.endsWith(".gz")) {
      try (InputStream in = new java.util.zip.GZIPInputStream(Files.newInputStream(file))) {
        return in.readAllBytes();
      }
    }
    return Files.readAllBytes(file);
  }
}
