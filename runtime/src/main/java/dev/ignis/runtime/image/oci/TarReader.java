package dev.ignis.runtime.image.oci;

import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Reads a tar stream member by member: ustar, POSIX pax (local and global headers) and GNU
 * long names and links, numbers in octal or base-256. Written here rather than taken from
 * commons-compress, whose reader decodes pax values as UTF-8 and so corrupts binary extended
 * attributes such as {@code security.capability}. Sparse members are refused.
 */
final class TarReader {

  private static final int BLOCK = 512;

  private final InputStream in;
  private final String source;
  private final Map<String, byte[]> globalPax = new HashMap<>();
  private long remaining; // content bytes of the current member not read yet
  private long padding; // zero bytes after them up to the block boundary

  TarReader(InputStream in, String source) {
    this.in = in;
    this.source = source;
  }

  /** The next member, skipping what is left of the current one; empty at the end of the archive. */
  Optional<TarEntry> next() throws IOException {
    skip(remaining + padding);
    remaining = 0;
    padding = 0;
    Map<String, byte[]> pax = new HashMap<>(globalPax);
    String longName = null;
    String longLink = null;
    while (true) {
      byte[] header = new byte[BLOCK];
      if (!readFully(header)) {
        return Optional.empty(); // an archive cut after its last member: accepted, as GNU tar does
      }
      if (isZero(header)) {
        return Optional.empty();
      }
      checkSum(header);
      char type = (char) header[156];
      long size = number(header, 124, 12);
      switch (type) {
        case 'x' -> pax.putAll(paxRecords(content(size)));
        case 'g' -> {
          Map<String, byte[]> global = paxRecords(content(size));
          globalPax.putAll(global);
          pax.putAll(global);
        }
        case 'L' -> longName = cString(content(size));
        case 'K' -> longLink = cString(content(size));
        case 'S' -> throw invalid("sparse member " + name(header) + " (GNU sparse files are not supported)");
        case 'V' -> skip(size + pad(size)); // a volume label: no member
        default -> {
          return Optional.of(entry(header, type, size, pax, longName, longLink));
        }
      }
    }
  }

  /** The current member's content; read it before asking for the next member. */
  InputStream content() {
    return new InputStream() {
      @Override
      public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
      }

      @Override
      public int read(byte[] buffer, int offset, int length) throws IOException {
        if (remaining <= 0) {
          return -1;
        }
        int count = in.read(buffer, offset, (int) Math.min(length, remaining));
        if (count < 0) {
          throw invalid("it ends inside a member's content");
        }
        remaining -= count;
        return count;
      }
    };
  }

  private TarEntry entry(byte[] header, char type, long headerSize, Map<String, byte[]> pax, String longName,
      String longLink) {
    String name = pax.containsKey("path") ? text(pax.get("path")) : longName != null ? longName : name(header);
    String linkName = pax.containsKey("linkpath") ? text(pax.get("linkpath"))
        : longLink != null ? longLink : field(header, 157, 100);
    long size = pax.containsKey("size") ? Long.parseLong(text(pax.get("size"))) : headerSize;
    long uid = pax.containsKey("uid") ? Long.parseLong(text(pax.get("uid"))) : number(header, 108, 8);
    long gid = pax.containsKey("gid") ? Long.parseLong(text(pax.get("gid"))) : number(header, 116, 8);
    Instant mtime = pax.containsKey("mtime") ? Instant.ofEpochMilli((long) (Double.parseDouble(text(pax.get("mtime")))
        * 1000)) : Instant.ofEpochSecond(number(header, 136, 12));
    if (pax.keySet().stream().anyMatch(k -> k.startsWith("GNU.sparse."))) {
      throw invalid("sparse member " + name + " (pax sparse files are not supported)");
    }
    Map<String, byte[]> xattrs = new LinkedHashMap<>();
    pax.forEach((key, value) -> {
      if (key.startsWith("SCHILY.xattr.")) {
        xattrs.put(key.substring("SCHILY.xattr.".length()), value);
      }
    });
    pax.forEach((key, value) -> {
      if (key.startsWith("LIBARCHIVE.xattr.")) { // URL-encoded name, base64 value: exact where SCHILY's may not be
        String attr = java.net.URLDecoder.decode(key.substring("LIBARCHIVE.xattr.".length()), StandardCharsets.UTF_8);
        xattrs.put(attr, Base64.getDecoder().decode(text(value).strip()));
      }
    });
    TarEntry.Type kind = switch (type) {
      case '0', '\0', '7' -> name.endsWith("/") ? TarEntry.Type.DIRECTORY : TarEntry.Type.FILE;
      case '1' -> TarEntry.Type.HARDLINK;
      case '2' -> TarEntry.Type.SYMLINK;
      case '3' -> TarEntry.Type.CHAR_DEVICE;
      case '4' -> TarEntry.Type.BLOCK_DEVICE;
      case '5' -> TarEntry.Type.DIRECTORY;
      case '6' -> TarEntry.Type.FIFO;
      default -> throw invalid("member " + name + " has type '" + type + "', which an image layer cannot hold");
    };
    boolean hasContent = kind == TarEntry.Type.FILE;
    remaining = size; // another member's content (none is expected) is skipped by the next call
    padding = pad(size);
    return new TarEntry(name, kind, (int) (number(header, 100, 8) & 07777), uid, gid, hasContent ? size : 0, mtime,
        linkName, (int) number(header, 329, 8), (int) number(header, 337, 8), xattrs);
  }

  /** The header's name, joined to the ustar prefix (not GNU's, which keeps times there). */
  private static String name(byte[] header) {
    String name = field(header, 0, 100);
    boolean ustar = header[257] == 'u' && header[262] == 0; // "ustar\0"; GNU writes "ustar  \0"
    String prefix = ustar ? field(header, 345, 155) : "";
    return prefix.isEmpty() ? name : prefix + "/" + name;
  }

  /** pax records: {@code LENGTH KEY=VALUE\n}, the value kept as bytes. */
  private Map<String, byte[]> paxRecords(byte[] data) {
    Map<String, byte[]> records = new HashMap<>();
    int at = 0;
    while (at < data.length) {
      int space = indexOf(data, (byte) ' ', at);
      if (space < 0) {
        break;
      }
      int length;
      try {
        length = Integer.parseInt(new String(data, at, space - at, StandardCharsets.US_ASCII));
      } catch (NumberFormatException e) {
        throw invalid("a pax header has a malformed record");
      }
      int end = at + length;
      int equals = indexOf(data, (byte) '=', space);
      if (length <= 0 || end > data.length || equals < 0 || equals >= end) {
        throw invalid("a pax header has a malformed record");
      }
      String key = new String(data, space + 1, equals - space - 1, StandardCharsets.UTF_8);
      byte[] value = java.util.Arrays.copyOfRange(data, equals + 1, end - 1); // without the newline
      records.put(key, value);
      at = end;
    }
    return records;
  }

  private byte[] content(long size) throws IOException {
    if (size < 0 || size > 16 << 20) {
      throw invalid("a header member of " + size + " bytes");
    }
    byte[] data = new byte[(int) size];
    if (!readFully(data)) {
      throw invalid("it ends inside a header member");
    }
    skip(pad(size));
    return data;
  }

  private static long pad(long size) {
    return (BLOCK - size % BLOCK) % BLOCK;
  }

  private void checkSum(byte[] header) {
    long stored;
    try {
      stored = number(header, 148, 8);
    } catch (IgnisException notANumber) {
      stored = -1;
    }
    long unsigned = 0;
    long signed = 0;
    for (int i = 0; i < BLOCK; i++) {
      byte b = i >= 148 && i < 156 ? (byte) ' ' : header[i];
      unsigned += b & 0xff;
      signed += b;
    }
    if (stored != unsigned && stored != signed) {
      throw invalid("a header's checksum does not match (not a tar archive, or a damaged one)");
    }
  }

  /** An octal number (NUL or space terminated), or GNU's base-256 (high bit of the first byte set). */
  private long number(byte[] header, int offset, int length) {
    if ((header[offset] & 0x80) != 0) {
      long value = header[offset] & 0x3f;
      for (int i = 1; i < length; i++) {
        value = (value << 8) | (header[offset + i] & 0xff);
      }
      return value;
    }
    String text = new String(header, offset, length, StandardCharsets.US_ASCII).replace('\0', ' ').strip();
    if (text.isEmpty()) {
      return 0;
    }
    try {
      return Long.parseLong(text, 8);
    } catch (NumberFormatException e) {
      throw invalid("a header has a malformed number '" + text + "'");
    }
  }

  private static String field(byte[] header, int offset, int length) {
    int end = offset;
    while (end < offset + length && header[end] != 0) {
      end++;
    }
    return new String(header, offset, end - offset, StandardCharsets.UTF_8);
  }

  private static String cString(byte[] data) {
    int end = indexOf(data, (byte) 0, 0);
    return new String(data, 0, end < 0 ? data.length : end, StandardCharsets.UTF_8);
  }

  private static String text(byte[] value) {
    return new String(value, StandardCharsets.UTF_8);
  }

  private static int indexOf(byte[] data, byte wanted, int from) {
    for (int i = from; i < data.length; i++) {
      if (data[i] == wanted) {
        return i;
      }
    }
    return -1;
  }

  private static boolean isZero(byte[] block) {
    for (byte b : block) {
      if (b != 0) {
        return false;
      }
    }
    return true;
  }

  private boolean readFully(byte[] buffer) throws IOException {
    int read = in.readNBytes(buffer, 0, buffer.length);
    if (read == 0) {
      return false;
    }
    if (read < buffer.length) {
      throw invalid("it ends inside a header");
    }
    return true;
  }

  /** Reads past {@code count} bytes: read, not skipped, so that a digest over the stream sees them. */
  private void skip(long count) throws IOException {
    byte[] buffer = new byte[(int) Math.min(count, 1 << 16)];
    long left = count;
    while (left > 0) {
      int read = in.read(buffer, 0, (int) Math.min(left, buffer.length));
      if (read < 0) {
        throw invalid("it ends inside a member's content");
      }
      left -= read;
    }
  }

  private IgnisException invalid(String what) {
    return new IgnisException(ErrorCode.DECODING_FAILURE, source + " is not a readable tar archive: " + what);
  }
}
