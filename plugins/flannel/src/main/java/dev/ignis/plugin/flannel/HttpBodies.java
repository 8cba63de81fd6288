package dev.ignis.plugin.flannel;

import java.io.IOException;
import java.io.InputStream;

/** The pieces of an HTTP/1.1 answer {@link EtcdHttp} reads: lines of the head, and bodies of known length or chunked. */
final class HttpBodies {

  private HttpBodies() {}

  /** One line of the head (or of chunk framing), without its CRLF. */
  static String line(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    for (int c = in.read(); c != '\n'; c = in.read()) {
      if (c < 0) {
        throw new IOException("etcd closed the connection");
      }
      if (c != '\r') {
        line.append((char) c);
      }
    }
    return line.toString();
  }

  /** A body, read in blocks; a single byte is a block of one. */
  private abstract static class Body extends InputStream {
    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }
  }

  /** A body of known length, read to its end and no further (the connection stays usable). */
  static final class Bounded extends Body {
    private final InputStream in;
    private long left;

    Bounded(InputStream in, long length) {
      this.in = in;
      this.left = length;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      if (left == 0) {
        return -1;
      }
      int read = in.read(buffer, offset, (int) Math.min(length, left));
      if (read < 0) {
        throw new IOException("etcd closed the connection mid-answer");
      }
      left -= read;
      return read;
    }
  }

  /** A chunked body (RFC 9112 §7.1), as etcd's gateway streams its answers. */
  static final class Chunked extends Body {
    private final InputStream in;
    private long left; // in the current chunk
    private boolean done;

    Chunked(InputStream in) {
      this.in = in;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      if (done) {
        return -1;
      }
      if (left == 0) {
        String size = line(in).strip();
        try {
          left = Long.parseLong(size.contains(";") ? size.substring(0, size.indexOf(';')) : size, 16);
        } catch (NumberFormatException e) {
          throw new IOException("not a chunk size: '" + size + "'");
        }
        if (left == 0) {
          while (!line(in).strip().isEmpty()) {
            // trailers
          }
          done = true;
          return -1;
        }
      }
      int read = in.read(buffer, offset, (int) Math.min(length, left));
      if (read < 0) {
        throw new IOException("etcd closed the connection mid-chunk");
      }
      left -= read;
      if (left == 0) {
        line(in); // the CRLF after the chunk
      }
      return read;
    }
  }
}
