package dev.ignis.runtime.daemon.http;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One HTTP/1.1 request as ignisd reads it: request line, headers and a body of {@code
 * Content-Length} bytes (at most 1 MiB; chunked bodies are refused).
 */
public record HttpRequest(String method, String path, Map<String, String> query, Map<String, String> headers,
    byte[] body) {

  static final int MAX_BODY = 1 << 20;
  private static final int MAX_HEAD_LINE = 8192;
  private static final int MAX_HEADERS = 100;

  /** A request the server cannot read; answered with {@code status} and the message. */
  public static final class Malformed extends IOException {
    final int status;

    Malformed(int status, String message) {
      super(message);
      this.status = status;
    }
  }

  public String header(String name) {
    return headers.getOrDefault(name.toLowerCase(Locale.ROOT), "");
  }

  public String bodyText() {
    return new String(body, StandardCharsets.UTF_8);
  }

  /** Reads a request; null when the peer closed before sending one. */
  static HttpRequest read(InputStream in) throws IOException {
    String requestLine = line(in, true);
    if (requestLine == null) {
      return null;
    }
    String[] parts = requestLine.split(" ");
    if (parts.length != 3 || !parts[2].startsWith("HTTP/1.")) {
      throw new Malformed(400, "not an HTTP/1.x request line: " + requestLine);
    }
    Map<String, String> headers = new HashMap<>();
    for (String header = line(in, false); !header.isEmpty(); header = line(in, false)) {
      int colon = header.indexOf(':');
      if (colon <= 0 || headers.size() >= MAX_HEADERS) {
        throw new Malformed(400, "malformed header: " + header);
      }
      headers.put(header.substring(0, colon).strip().toLowerCase(Locale.ROOT), header.substring(colon + 1).strip());
    }
    if (headers.containsKey("transfer-encoding")) {
      throw new Malformed(411, "chunked request bodies are not supported; send Content-Length");
    }
    int length;
    try {
      length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
    } catch (NumberFormatException e) {
      throw new Malformed(400, "Content-Length is not a number");
    }
    if (length < 0 || length > MAX_BODY) {
      throw new Malformed(413, "request body over " + MAX_BODY + " bytes");
    }
    byte[] body = in.readNBytes(length);
    if (body.length != length) {
      throw new EOFException("request body ended early");
    }
    String target = parts[1];
    int question = target.indexOf('?');
    String path = question < 0 ? target : target.substring(0, question);
    Map<String, String> query = new HashMap<>();
    if (question >= 0) {
      for (String pair : target.substring(question + 1).split("&")) {
        if (!pair.isEmpty()) {
          int eq = pair.indexOf('=');
          query.put(decode(eq < 0 ? pair : pair.substring(0, eq)), eq < 0 ? "" : decode(pair.substring(eq + 1)));
        }
      }
    }
    return new HttpRequest(parts[0], decode(path), query, headers, body);
  }

  private static String decode(String text) throws Malformed {
    try {
      return URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new Malformed(400, "bad percent-encoding in " + text);
    }
  }

  private static String line(InputStream in, boolean first) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
    int b;
    while ((b = in.read()) >= 0 && b != '\n') {
      if (bytes.size() >= MAX_HEAD_LINE) {
        throw new Malformed(431, "request line or header over " + MAX_HEAD_LINE + " bytes");
      }
      bytes.write(b);
    }
    if (b < 0) {
      if (first && bytes.size() == 0) {
        return null;
      }
      throw new EOFException("request ended early");
    }
    String text = bytes.toString(StandardCharsets.ISO_8859_1);
    return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
  }
}
