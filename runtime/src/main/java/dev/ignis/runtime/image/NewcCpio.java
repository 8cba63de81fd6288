package dev.ignis.runtime.image;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A cpio archive in the kernel's initramfs format ({@code newc}) of a few small files, to append
 * to an initrd: the kernel unpacks concatenated archives in order, so files of a later one
 * join (or replace) those of the base initramfs. Directories are listed before their files.
 */
public final class NewcCpio {

  private final Map<String, byte[]> files = new LinkedHashMap<>();
  private final Map<String, Integer> modes = new LinkedHashMap<>();

  /** Adds a file (its parent directories too), {@code name} relative to / ("ignis/vm.env"). */
  public NewcCpio file(String name, byte[] content, int mode) {
    parents(name);
    files.put(name, content);
    modes.put(name, 0100000 | mode);
    return this;
  }

  /** Adds a directory (its parent directories too) with that mode, {@code name} relative to /. */
  public NewcCpio directory(String name, int mode) {
    parents(name);
    files.put(name, new byte[0]);
    modes.put(name, 040000 | mode);
    return this;
  }

  /** The directories above {@code name}, 0755 unless given already, listed before it. */
  private void parents(String name) {
    String[] parts = name.split("/");
    StringBuilder dir = new StringBuilder();
    for (int i = 0; i < parts.length - 1; i++) {
      dir.append(i == 0 ? "" : "/").append(parts[i]);
      modes.putIfAbsent(dir.toString(), 040755);
      files.putIfAbsent(dir.toString(), new byte[0]);
    }
  }

  public byte[] bytes() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int inode = 1;
    for (Map.Entry<String, byte[]> entry : files.entrySet()) {
      write(out, inode++, modes.get(entry.getKey()), entry.getKey(), entry.getValue());
    }
    write(out, 0, 0, "TRAILER!!!", new byte[0]);
    return out.toByteArray();
  }

  private static void write(ByteArrayOutputStream out, int inode, int mode, String name, byte[] content) {
    byte[] nameBytes = (name + "\0").getBytes(StandardCharsets.UTF_8);
    String header = "070701" + hex(inode) + hex(mode) + hex(0) + hex(0) + hex(1) + hex(0) + hex(content.length)
        + hex(0) + hex(0) + hex(0) + hex(0) + hex(nameBytes.length) + hex(0);
    out.writeBytes(header.getBytes(StandardCharsets.US_ASCII));
    out.writeBytes(nameBytes);
    pad(out);
    out.writeBytes(content);
    pad(out);
  }

  private static String hex(long value) {
    return String.format("%08X", value);
  }

  private static void pad(ByteArrayOutputStream out) {
    while (out.size() % 4 != 0) {
      out.write(0);
    }
  }
}
