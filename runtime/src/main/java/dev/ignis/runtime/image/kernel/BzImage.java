package dev.ignis.runtime.image.kernel;

import dev.ignis.runtime.image.ProgramFilter;
import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.zip.GZIPInputStream;

/**
 * A compressed kernel as boot loaders load it ({@code bzImage}, Debian's {@code vmlinuz}): the
 * x86 boot protocol's setup header locates the compressed {@code vmlinux} inside it ({@code
 * payload_offset}, {@code payload_length}, protocol 2.08 and later), which is uncompressed by its
 * format's magic: gzip here, the others (xz, zstd, lz4, bzip2, lzma, lzo) by their programs.
 */
final class BzImage {

  private static final int HEADER_MAGIC_AT = 0x202;
  private static final int PAYLOAD_PROTOCOL = 0x208;

  private BzImage() {}

  /** Whether the file starts as a bzImage does (the setup header's "HdrS"). */
  static boolean is(byte[] head) {
    return head.length > HEADER_MAGIC_AT + 4 && head[HEADER_MAGIC_AT] == 'H' && head[HEADER_MAGIC_AT + 1] == 'd'
        && head[HEADER_MAGIC_AT + 2] == 'r' && head[HEADER_MAGIC_AT + 3] == 'S';
  }

  /** Writes the vmlinux inside {@code bzImage} to {@code target}; {@code what} names the file in errors. */
  static void extract(Path bzImage, Path target, String what) {
    byte[] image;
    try {
      image = Files.readAllBytes(bzImage);
    } catch (IOException e) {
      throw new IgnisException(ErrorCode.INVALID_ARGUMENT, "cannot read " + what + ": " + e.getMessage(), e);
    }
    ByteBuffer header = ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);
    int protocol = Short.toUnsignedInt(header.getShort(0x206));
    if (protocol < PAYLOAD_PROTOCOL) {
      throw new IgnisException(ErrorCode.INVALID_ARGUMENT, what + " uses boot protocol " + (protocol >> 8) + "."
          + (protocol & 0xff) + ", older than 2.08, which does not say where its kernel is; give its vmlinux instead");
    }
    int setupSectors = Byte.toUnsignedInt(image[0x1f1]);
    long payload = (setupSectors == 0 ? 4 : setupSectors) * 512L + 512 + Integer.toUnsignedLong(header.getInt(0x248));
    long length = Integer.toUnsignedLong(header.getInt(0x24c));
    if (payload + length > image.length || length < 8) {
      throw new IgnisException(ErrorCode.INVALID_ARGUMENT, what + " is cut short: its kernel payload ends past the file's end");
    }
    InputStream compressed = new ByteArrayInputStream(image, (int) payload, (int) length);
    Path partial = target.resolveSibling(target.getFileName() + ".partial");
    try (InputStream plain = uncompressed(compressed, image, (int) payload, what)) {
      Files.copy(plain, partial, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new IgnisException(ErrorCode.INVALID_ARGUMENT, "cannot uncompress the kernel in " + what + ": "
          + e.getMessage(), e);
    }
    try {
      byte[] head = new byte[4];
      try (InputStream in = Files.newInputStream(partial)) {
        in.readNBytes(head, 0, 4);
      }
      if (!Vmlinux.isElf(head)) {
        throw new IgnisException(ErrorCode.INVALID_ARGUMENT, "the kernel in " + what + " did not uncompress to an ELF"
            + " file; give its vmlinux instead");
      }
      Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new IgnisException(ErrorCode.IO_FAILURE, "cannot write " + target + ": " + e.getMessage(), e);
    }
  }

  private static InputStream uncompressed(InputStream in, byte[] image, int at, String what) throws IOException {
    String kernel = "the kernel in " + what;
    if (starts(image, at, 0x1f, 0x8b)) {
      return new GZIPInputStream(in, 1 << 16);
    }
    if (starts(image, at, 0xfd, '7', 'z', 'X', 'Z', 0)) {
      return ProgramFilter.run(in, kernel + " (xz)", "xz-utils", "xz", "-d", "-c", "-q", "--single-stream");
    }
    if (starts(image, at, 0x28, 0xb5, 0x2f, 0xfd)) {
      return ProgramFilter.run(in, kernel + " (zstd)", "zstd", "zstd", "-d", "-c", "-q");
    }
    if (starts(image, at, 0x02, 0x21, 0x4c, 0x18)) {
      return ProgramFilter.run(in, kernel + " (lz4)", "lz4", "lz4", "-d", "-c", "-q");
    }
    if (starts(image, at, 'B', 'Z', 'h')) {
      return ProgramFilter.run(in, kernel + " (bzip2)", "bzip2", "bzip2", "-d", "-c", "-q");
    }
    if (starts(image, at, 0x5d, 0, 0)) {
      return ProgramFilter.run(in, kernel + " (lzma)", "xz-utils", "xz", "--format=lzma", "-d", "-c", "-q");
    }
    if (starts(image, at, 0x89, 'L', 'Z', 'O')) {
      return ProgramFilter.run(in, kernel + " (lzo)", "lzop", "lzop", "-d", "-c", "-q");
    }
    throw new IgnisException(ErrorCode.INVALID_ARGUMENT, "the kernel in " + what + " is compressed in a format Ignis"
        + " does not know; give its vmlinux instead");
  }

  private static boolean starts(byte[] data, int at, int... magic) {
    if (at + magic.length > data.length) {
      return false;
    }
    for (int i = 0; i < magic.length; i++) {
      if ((data[at + i] & 0xff) != magic[i]) {
        return false;
      }
    }
    return true;
  }
}
