package dev.ignis.runtime.image;

import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * A VM's own initrd: a base initramfs with cpio archives appended (an imported kernel's modules,
 * an image's launch file). The kernel unpacks concatenated archives in order, a later file
 * replacing an earlier one of the same name; each archive starts on a 4-byte boundary.
 */
public final class GuestInitrd {

  /** The file in the VM's directory. */
  public static final String FILE = "initrd.img";

  private GuestInitrd() {}

  /** The base itself when there is nothing to append, else the VM's initrd, written anew. */
  public static Path write(Path vmDir, Path base, List<byte[]> archives) {
    if (archives.isEmpty()) {
      return base;
    }
    Path initrd = vmDir.resolve(FILE);
    try (OutputStream out = Files.newOutputStream(initrd, StandardOpenOption.CREATE,
        StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
      Files.copy(base, out);
      long size = Files.size(base);
      for (byte[] archive : archives) {
        out.write(new byte[(int) ((4 - size % 4) % 4)]);
        size += (4 - size % 4) % 4;
        out.write(archive);
        size += archive.length;
      }
    } catch (IOException e) {
      throw new IgnisException(ErrorCode.IO_FAILURE, "cannot write " + initrd + ": " + e.getMessage(), e);
    }
    return initrd;
  }
}
