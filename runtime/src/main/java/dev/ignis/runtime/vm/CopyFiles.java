package dev.ignis.runtime.vm;

import dev.ignis.runtime.image.NewcCpio;
import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * {@code --copy-files HOST:GUEST}: host files and directories copied into a VM's guest, as
 * Ignite does. They are read once, when the VM is created, into a cpio archive in the VM's
 * directory ({@value #ARCHIVE}) under {@code /ignis/files/}, with their guest paths in {@code
 * /ignis/files.list}; Ignis' init copies each to its place (the directories above it made, not
 * changed): at every boot for a guest that runs from its initramfs, and into an image's disk at its
 * first boot only (the runtime appends the archive then), so the guest's later changes stay.
 * Modes are kept, owners are root, symlinks are followed. The files travel in the guest's
 * memory: {@value #MAX_MIB} MiB at most in all ({@code runtime cp} takes larger ones).
 */
public final class CopyFiles {

  /** The archive's name in the VM's directory. */
  public static final String ARCHIVE = "copy-files.cpio";
  static final int MAX_MIB = 64;

  private CopyFiles() {}

  /** Throws unless {@code mapping} is {@code HOST:GUEST} with both paths absolute and no {@code ..} in GUEST. */
  static void checkMapping(String mapping) {
    int colon = mapping.indexOf(':');
    if (colon < 1 || !mapping.startsWith("/") || colon + 1 >= mapping.length() || mapping.charAt(colon + 1) != '/') {
      throw new IgnisException(ErrorCode.INVALID_ARGUMENT, "--copy-files '" + mapping + "' is not HOST:GUEST with"
          + " GUEST an absolute path, such as ./app.conf:/etc/app.conf");
    }
    String guest = mapping.substring(colon + 1);
    if (guest.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
      throw new IgnisException(ErrorCode.INVALID_ARGUMENT, "--copy-files: the guest path holds a control character");
    }
    if (List.of(guest.split("/")).contains("..") || guest.replaceAll("/+", "/").equals("/")) {
      throw new IgnisException(ErrorCode.INVALID_ARGUMENT, "--copy-files '" + mapping + "': the guest path must name"
          + " a file or directory below /, without '..'");
    }
  }

  /**
   * The archive of the VM's files, read now; throws in one line if one is missing or unreadable,
   * or all of them are too big.
   */
  static byte[] archive(List<String> mappings) {
    NewcCpio cpio = new NewcCpio();
    long total = 0;
    StringBuilder list = new StringBuilder(); // the guest paths, one a line: the init copies each
    for (String mapping : mappings) {
      int colon = mapping.indexOf(':');
      Path host = Path.of(mapping.substring(0, colon));
      String guestPath = mapping.substring(colon + 1).replaceAll("/+", "/").replaceAll("/$", "");
      list.append(guestPath).append('\n');
      String guest = "ignis/files" + guestPath;
      if (!Files.exists(host)) {
        throw new IgnisException(ErrorCode.INVALID_ARGUMENT, "--copy-files: " + host + " does not exist");
      }
      try (Stream<Path> walk = Files.walk(host, java.nio.file.FileVisitOption.FOLLOW_LINKS)) {
        for (Path file : walk.toList()) {
          String name = guest + (file.equals(host) ? "" : "/" + host.relativize(file).toString());
          int mode = mode(Files.getPosixFilePermissions(file));
          if (Files.isDirectory(file)) {
            cpio.directory(name, mode);
          } else if (Files.isRegularFile(file)) {
            total += Files.size(file);
            if (total > (long) MAX_MIB << 20) {
              throw new IgnisException(ErrorCode.INVALID_ARGUMENT, "--copy-files: more than " + MAX_MIB + " MiB in all,"
                  + " which the guest would hold in memory; copy large files with 'runtime cp' once the VM runs");
            }
            cpio.file(name, Files.readAllBytes(file), mode);
          } else {
            throw new IgnisException(ErrorCode.INVALID_ARGUMENT, "--copy-files: " + file + " is neither a file nor a"
                + " directory (nor a link to one)");
          }
        }
      } catch (IOException | java.io.UncheckedIOException e) {
        throw new IgnisException(ErrorCode.INVALID_ARGUMENT, "--copy-files: cannot read " + host + " ("
            + e.getMessage() + ")", e);
      }
    }
    cpio.file("ignis/files.list", list.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8), 0644);
    return cpio.bytes();
  }

  /** Writes the VM's archive into its directory. */
  static void write(byte[] archive, Path vmDir) {
    try {
      Path partial = vmDir.resolve(ARCHIVE + ".partial");
      Files.write(partial, archive);
      Files.move(partial, vmDir.resolve(ARCHIVE), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new IgnisException(ErrorCode.IO_FAILURE, "cannot write " + vmDir.resolve(ARCHIVE) + ": " + e.getMessage(), e);
    }
  }

  private static int mode(Set<PosixFilePermission> permissions) {
    int mode = 0;
    for (PosixFilePermission permission : permissions) {
      mode |= 1 << (8 - permission.ordinal());
    }
    return mode;
  }
}
