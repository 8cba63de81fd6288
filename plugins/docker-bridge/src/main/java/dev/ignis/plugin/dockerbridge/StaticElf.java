package dev.ignis.plugin.dockerbridge;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/** Tells a static ELF executable from a dynamic one: only dynamic ones have a PT_INTERP header. */
final class StaticElf {

  private static final int PT_INTERP = 3;

  private StaticElf() {}

  /** True if the file is a 64-bit ELF executable with no program interpreter. */
  static boolean isStatic(Path file) {
    try (FileChannel channel = FileChannel.open(file)) {
      ByteBuffer header = ByteBuffer.allocate(64);
      channel.read(header, 0);
      header.flip();
      if (header.remaining() < 64 || header.getInt(0) != 0x7f454c46 || header.get(4) != 2) {
        return false;
      }
      header.order(header.get(5) == 1 ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
      long tableOffset = header.getLong(32);
      int entrySize = header.getShort(54) & 0xffff;
      int entries = header.getShort(56) & 0xffff;
      ByteBuffer table = ByteBuffer.allocate(entrySize * entries).order(header.order());
      channel.read(table, tableOffset);
      for (int i = 0; i < entries; i++) {
        if (table.getInt(i * entrySize) == PT_INTERP) {
          return false;
        }
      }
      return true;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }
}
