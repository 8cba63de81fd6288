package dev.ignis.runtime.client;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Just enough HTTP/1.1 over a Unix socket for the client: one request per connection, the
 * response's head parsed and its body left to read as it streams. (The JDK's HTTP client
 * speaks TCP only; the client must start fast and load nothing else.)
 */
public final class UnixHttp {

  private UnixHttp() {}

  /** An answer whose body is still to be read; closing it closes the connection. */
  public record Response(int status, Map<String, String> headers, InputStream body, SocketChannel channel)
      implements AutoCloseable {
    public String header(String name) {
      return headers.getOrDefault(name.toLowerCase(Locale.ROOT), "");
    }

    public String bodyText() throws IOException {
      return new String(body.readAllBytes(), StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws IOException {
      channel.close();
    }
  }

  /** Connects to the socket; throws if nothing listens there. */
  public static SocketChannel connect(Path socket) throws IOException {
    SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
    try {
      channel.connect(UnixDomainSocketAddress.of(socket));
      return channel;
    } catch (IOException e) {
      channel.close();
      throw e;
    }
  }

  /** Sends a request on a connected channel and reads the answer's head. */
  public static Response exchange(SocketChannel channel, String method, String target, String contentType, byte[] body)
      throws IOException {
    return exchange(channel, method, target, contentType, body, "");
  }

  /** The same with extra header lines ({@code "Name: value\r\n"} each). */
  public static Response exchange(SocketChannel channel, String method, String target, String contentType, byte[] body,
      String extraHeaders) throws IOException {
    StringBuilder head = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\n")
        .append("Host: ignisd\r\nConnection: close\r\n").append(extraHeaders);
    if (body != null) {
      head.append("Content-Type: ").append(contentType).append("\r\nContent-Length: ").append(body.length).append("\r\n");
    }
    head.append("\r\n");
    OutputStream out = Channels.newOutputStream(channel);
    out.write(head.toString().getBytes(StandardCharsets.UTF_8));
    if (body != null) {
      out.write(body);
    }
    out.flush();
    InputStream in = new BufferedInputStream(Channels.newInputStream(channel), 16384);
    String statusLine = line(in);
    String[] parts = statusLine.split(" ", 3);
    if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
      throw new IOException("not an HTTP answer from ignisd: '" + statusLine + "'");
    }
    Map<String, String> headers = new HashMap<>();
    for (String header = line(in); !header.isEmpty(); header = line(in)) {
      int colon = header.indexOf(':');
      if (colon > 0) {
        headers.put(header.substring(0, colon).strip().toLowerCase(Locale.ROOT), header.substring(colon + 1).strip());
      }
    }
    try {
      return new Response(Integer.parseInt(parts[1]), headers, in, channel);
    } catch (NumberFormatException e) {
      throw new IOException("not an HTTP status from ignisd: '" + statusLine + "'");
    }
  }

  /** One request on a fresh connection. */
  public static Response request(Path socket, String method, String target, String contentType, byte[] body)
      throws IOException {
    SocketChannel channel = connect(socket);
    try {
      return exchange(channel, method, target, contentType, body);
    } catch (IOException e) {
      channel.close();
      throw e;
    }
  }

  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
    int b;
    while ((b = in.read()) >= 0 && b != '\n') {
      if (bytes.size() > 8192) {
        throw new IOException("header line too long from ignisd");
      }
      bytes.write(b);
    }
    if (b < 0 && bytes.size() == 0) {
      throw new java.io.EOFException("ignisd closed the connection without an answer");
    }
    String text = bytes.toString(StandardCharsets.ISO_8859_1);
    return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
  }
}
