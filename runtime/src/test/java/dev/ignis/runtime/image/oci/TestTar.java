package dev.ignis.runtime.image.oci;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Builds tar archives byte by byte for tests: ustar headers, pax headers with raw values. */
final class TestTar {

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final int uid;

  /** The uid of the test's process: without root, the only owner a test can give members. */
  static int ownUid() {
    try {
      java.nio.file.Path probe = java.nio.file.Files.createTempFile("uid", "");
      try {
        return (Integer) java.nio.file.Files.getAttribute(probe, "unix:uid");
      } finally {
        java.nio.file.Files.delete(probe);
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Members owned by {@code uid} (a test without root can only give its own). */
  TestTar(int uid) {
    this.uid = uid;
  }

  TestTar file(String name, String content, int mode) {
    return member(name, '0', content.getBytes(StandardCharsets.UTF_8), mode, "", Map.of());
  }

  TestTar dir(String name) {
    return member(name, '5', new byte[0], 0755, "", Map.of());
  }

  TestTar symlink(String name, String target) {
    return member(name, '2', new byte[0], 0777, target, Map.of());
  }

  TestTar hardlink(String name, String target) {
    return member(name, '1', new byte[0], 0644, target, Map.of());
  }

  TestTar device(String name, char type, int major, int minor) {
    byte[] header = header(name, type, 0, 0666, "");
    octal(header, 329, 8, major);
    octal(header, 337, 8, minor);
    checksum(header);
    out.writeBytes(header);
    return this;
  }

  /** A member preceded by a pax header with these records (values as raw bytes). */
  TestTar member(String name, char type, byte[] content, int mode, String link, Map<String, byte[]> pax) {
    if (!pax.isEmpty()) {
      ByteArrayOutputStream records = new ByteArrayOutputStream();
      pax.forEach((key, value) -> {
        byte[] body = (" " + key + "=").getBytes(StandardCharsets.UTF_8);
        int length = body.length + value.length + 1;
        int total = length + String.valueOf(length).length();
        if (String.valueOf(total).length() != String.valueOf(length).length()) {
          total++;
        }
        records.writeBytes(String.valueOf(total).getBytes(StandardCharsets.US_ASCII));
        records.writeBytes(body);
        records.writeBytes(value);
        records.write('\n');
      });
      byte[] data = records.toByteArray();
      byte[] header = header("PaxHeaders/" + (name.length() > 80 ? "long" : name), 'x', data.length, 0644, "");
      checksum(header);
      out.writeBytes(header);
      out.writeBytes(data);
      pad(data.length);
    }
    byte[] header = header(name.length() > 100 ? name.substring(0, 100) : name, type, content.length, mode, link);
    checksum(header);
    out.writeBytes(header);
    out.writeBytes(content);
    pad(content.length);
    return this;
  }

  byte[] bytes() {
    ByteArrayOutputStream done = new ByteArrayOutputStream();
    done.writeBytes(out.toByteArray());
    done.writeBytes(new byte[1024]);
    return done.toByteArray();
  }

  private byte[] header(String name, char type, long size, int mode, String link) {
    byte[] header = new byte[512];
    put(header, 0, name);
    octal(header, 100, 8, mode);
    octal(header, 108, 8, uid);
    octal(header, 116, 8, uid);
    octal(header, 124, 12, size);
    octal(header, 136, 12, 1_700_000_000L);
    header[156] = (byte) type;
    put(header, 157, link);
    put(header, 257, "ustar");
    put(header, 263, "00");
    return header;
  }

  private static void put(byte[] header, int offset, String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    System.arraycopy(bytes, 0, header, offset, bytes.length);
  }

  private static void octal(byte[] header, int offset, int length, long value) {
    put(header, offset, String.format("%0" + (length - 1) + "o", value));
  }

  private static void checksum(byte[] header) {
    java.util.Arrays.fill(header, 148, 156, (byte) ' ');
    long sum = 0;
    for (byte b : header) {
      sum += b & 0xff;
    }
    put(header, 148, String.format("%06o", sum));
    header[154] = 0;
  }

  private void pad(int length) {
    out.writeBytes(new byte[(512 - length % 512) % 512]);
  }
}
