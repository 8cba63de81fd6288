package dev.ignis.runtime.client;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Map;

/**
 * The stream of a command run by ignisd ({@code POST /v1/cli}): frames of one kind byte, a
 * four-byte big-endian length and that many bytes. Standard output and error as the command
 * writes them, a keep-alive every second (so either side notices a dead peer), and last the
 * exit status as a four-byte integer.
 */
public final class CliFrames {

  public static final String MEDIA_TYPE = "application/vnd.ignis.cli-frames";

  public static final int STDOUT = 1;
  public static final int STDERR = 2;
  public static final int EXIT = 3;
  public static final int KEEPALIVE = 4;

  private CliFrames() {}

  /** Writes one frame (callers serialise writers). */
  public static void write(OutputStream out, int kind, byte[] bytes, int offset, int length) throws IOException {
    byte[] header = {(byte) kind, (byte) (length >>> 24), (byte) (length >>> 16), (byte) (length >>> 8), (byte) length};
    out.write(header);
    out.write(bytes, offset, length);
    out.flush();
  }

  /** Writes the exit status frame. */
  public static void writeExit(OutputStream out, int status) throws IOException {
    byte[] value = {(byte) (status >>> 24), (byte) (status >>> 16), (byte) (status >>> 8), (byte) status};
    write(out, EXIT, value, 0, 4);
  }

  /** A frame read from the stream. */
  public record Frame(int kind, byte[] bytes) {
    public int exitStatus() {
      return ((bytes[0] & 0xff) << 24) | ((bytes[1] & 0xff) << 16) | ((bytes[2] & 0xff) << 8) | (bytes[3] & 0xff);
    }
  }

  /** The next frame, or null at the end of the stream. */
  public static Frame read(DataInputStream in) throws IOException {
    int kind = in.read();
    if (kind < 0) {
      return null;
    }
    int length = in.readInt();
    if (length < 0 || length > 16 << 20 || kind < STDOUT || kind > KEEPALIVE) {
      throw new IOException("malformed frame from ignisd (kind " + kind + ", length " + length + ")");
    }
    byte[] bytes = new byte[length];
    in.readFully(bytes);
    if (kind == EXIT && length != 4) {
      throw new EOFException("malformed exit frame from ignisd");
    }
    return new Frame(kind, bytes);
  }

  /** The request body of {@code POST /v1/cli}, as JSON (written by hand: the client loads no JSON library). */
  public static String request(String id, String[] args, Map<String, String> environment, String workingDir,
      boolean terminal) {
    StringBuilder json = new StringBuilder("{\"id\":").append(quote(id)).append(",\"args\":[");
    for (int i = 0; i < args.length; i++) {
      json.append(i == 0 ? "" : ",").append(quote(args[i]));
    }
    json.append("],\"env\":{");
    boolean first = true;
    for (Map.Entry<String, String> entry : environment.entrySet()) {
      json.append(first ? "" : ",").append(quote(entry.getKey())).append(':').append(quote(entry.getValue()));
      first = false;
    }
    return json.append("},\"cwd\":").append(quote(workingDir)).append(",\"terminal\":").append(terminal).append('}')
        .toString();
  }

  /** A JSON string literal. */
  public static String quote(String value) {
    StringBuilder out = new StringBuilder(value.length() + 2).append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"').toString();
  }
}
