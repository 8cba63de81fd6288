package dev.ignis.runtime.image.kernel;

import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * An uncompressed x86-64 Linux kernel (ELF {@code vmlinux}) that QEMU's microvm machine can
 * boot: one with a PVH entry point (the Xen ELF note {@code XEN_ELFNOTE_PHYS32_ENTRY}, built
 * with {@code CONFIG_PVH}), which is how QEMU enters an ELF kernel.
 *
 * @param release the kernel's release ({@code uname -r}) from its banner, or empty if none is found
 */
public record Vmlinux(String release) {

  private static final int PT_NOTE = 4;
  private static final int EM_X86_64 = 62;
  private static final int XEN_ELFNOTE_PHYS32_ENTRY = 18;
  private static final byte[] BANNER = "Linux version ".getBytes(StandardCharsets.US_ASCII);

  /** Whether the file starts as an ELF file does. */
  static boolean isElf(byte[] head) {
    return head.length >= 4 && head[0] == 0x7f && head[1] == 'E' && head[2] == 'L' && head[3] == 'F';
  }

  /**
   * Reads and checks the kernel; {@code what} names it in errors (the file the user gave).
   * Throws unless it is a 64-bit x86 ELF file with a PVH entry.
   */
  static Vmlinux read(Path file, String what) {
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r"); FileChannel channel = raf.getChannel()) {
      ByteBuffer elf = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size()).order(ByteOrder.LITTLE_ENDIAN);
      if (elf.limit() < 64 || elf.get(0) != 0x7f || elf.get(1) != 'E' || elf.get(2) != 'L' || elf.get(3) != 'F') {
        throw new IgnisException(ErrorCode.INVALID_ARGUMENT, what + " is not an ELF kernel (vmlinux)");
      }
      if (elf.get(4) != 2 || elf.get(5) != 1 || elf.getShort(18) != EM_X86_64) {
        throw new IgnisException(ErrorCode.INVALID_ARGUMENT, what + " is not a 64-bit x86 kernel; Ignis' VMs are x86-64");
      }
      if (!hasPvhEntry(elf)) {
        throw new IgnisException(ErrorCode.INVALID_ARGUMENT, what + " has no PVH entry point, so QEMU's microvm"
            + " cannot boot it; use a kernel built with CONFIG_PVH=y (Debian's are)");
      }
      return new Vmlinux(release(elf));
    } catch (IOException e) {
      throw new IgnisException(ErrorCode.INVALID_ARGUMENT, "cannot read " + what + ": " + e.getMessage(), e);
    }
  }

  private static boolean hasPvhEntry(ByteBuffer elf) {
    long programHeaders = elf.getLong(32);
    int entrySize = Short.toUnsignedInt(elf.getShort(54));
    int count = Short.toUnsignedInt(elf.getShort(56));
    for (int i = 0; i < count; i++) {
      long header = programHeaders + (long) i * entrySize;
      if (header + 56 > elf.limit() || elf.getInt((int) header) != PT_NOTE) {
        continue;
      }
      long offset = elf.getLong((int) header + 8);
      long size = elf.getLong((int) header + 32);
      if (hasNote(elf, offset, Math.min(offset + size, elf.limit()))) {
        return true;
      }
    }
    return false;
  }

  private static boolean hasNote(ByteBuffer elf, long from, long to) {
    long at = from;
    while (at + 12 <= to) {
      int nameSize = elf.getInt((int) at);
      int descSize = elf.getInt((int) at + 4);
      int type = elf.getInt((int) at + 8);
      if (nameSize < 0 || descSize < 0) {
        return false;
      }
      if (type == XEN_ELFNOTE_PHYS32_ENTRY && nameSize == 4 && at + 16 <= to && elf.get((int) at + 12) == 'X'
          && elf.get((int) at + 13) == 'e' && elf.get((int) at + 14) == 'n') {
        return true;
      }
      at += 12 + align4(nameSize) + align4(descSize);
    }
    return false;
  }

  private static long align4(int size) {
    return (size + 3L) & ~3L;
  }

  /** The word after the first "Linux version " (the kernel's banner), or empty. */
  private static String release(ByteBuffer elf) {
    int limit = elf.limit();
    outer:
    for (int i = 0; i + BANNER.length < limit; i++) {
      for (int j = 0; j < BANNER.length; j++) {
        if (elf.get(i + j) != BANNER[j]) {
          continue outer;
        }
      }
      StringBuilder release = new StringBuilder();
      for (int k = i + BANNER.length; k < limit && release.length() < 64; k++) {
        char c = (char) (elf.get(k) & 0xff);
        if (c <= ' ' || c > '~') {
          break;
        }
        release.append(c);
      }
      // The banner proper has a release that starts with a digit; "%s" formats are skipped.
      if (release.length() > 0 && Character.isDigit(release.charAt(0))) {
        return release.toString();
      }
    }
    return "";
  }
}
