package dev.ignis.plugin.flannel;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * etcd's v3 API through its JSON gateway ({@code POST /v3/kv/range} and the like, on the client
 * port: the same calls as gRPC, int64 values as strings, bytes as base64), over HTTP/1.1: one
 * kept-alive connection for calls, one more per stream (watch). Plain, or TLS with this node's
 * client certificate and the etcd server's certificate checked against the network's CA and
 * the endpoint's address. No threads of its own but one per stream, no event loop: the node
 * agent is a small resident process (jetcd's gRPC, Netty and Vert.x stacks cost it 50 MB).
 * Calls are serialised; each waits at most the timeout.
 */
final class EtcdHttp implements AutoCloseable {

  /** etcd answered with an error of its own (a JSON body with {@code error}/{@code message}). */
  static final class Rejected extends IOException {
    Rejected(String message) {
      super(message);
    }
  }

  /** An open stream; closing it ends the request. */
  interface Stream extends AutoCloseable {
    @Override
    void close();
  }

  private final List<URI> endpoints;
  private final SSLContext tls;
  private final int timeoutMillis;
  private Connection connection;

  EtcdHttp(List<String> endpoints, SSLContext tls, Duration timeout) {
    this.endpoints = endpoints.stream().map(URI::create).toList();
    this.tls = tls;
    this.timeoutMillis = (int) Math.max(1, timeout.toMillis());
  }

  /** One call: the JSON answer, or Rejected, or IOException when etcd cannot be reached. */
  synchronized Map<String, Object> post(String path, Map<String, Object> body) throws IOException {
    boolean reused = connection != null;
    try {
      if (connection == null) {
        connection = connect(timeoutMillis);
      }
      return connection.call(path, body);
    } catch (Rejected e) {
      throw e;
    } catch (IOException e) {
      close();
      if (!reused) {
        throw e;
      }
      connection = connect(timeoutMillis); // etcd closed the kept-alive connection: once more on a new one
      return connection.call(path, body);
    }
  }

  /**
   * Opens a stream on a connection of its own and hands each message to {@code onMessage} on a
   * daemon thread, until etcd ends it ({@code onEnd}) or it is closed (then nothing is called).
   */
  Stream stream(String path, Map<String, Object> body, Consumer<Map<String, Object>> onMessage,
      Consumer<Throwable> onEnd)
      throws IOException {
    Connection streaming = connect(timeoutMillis);
    InputStream messages;
    try {
      messages = streaming.open(path, body);
      streaming.socket.setSoTimeout(0); // a watch is silent while nothing changes
    } catch (IOException e) {
      streaming.close();
      throw e;
    }
    Thread reader = new Thread(() -> {
      try {
        Json.eachObject(messages, onMessage);
        end(streaming, onEnd, new IOException("etcd ended the stream " + path));
      } catch (IOException | RuntimeException e) {
        end(streaming, onEnd, e);
      }
    }, "etcd-stream");
    reader.setDaemon(true);
    reader.start();
    return streaming::close;
  }

  private static void end(Connection streaming, Consumer<Throwable> onEnd, Throwable why) {
    if (!streaming.closed) {
      streaming.close();
      onEnd.accept(why);
    }
  }

  @Override
  public synchronized void close() {
    if (connection != null) {
      connection.close();
      connection = null;
    }
  }

  private Connection connect(int timeout) throws IOException {
    IOException last = null;
    for (URI endpoint : endpoints) {
      Socket socket = new Socket();
      try {
        socket.connect(new InetSocketAddress(endpoint.getHost(), endpoint.getPort()), timeout);
        socket.setSoTimeout(timeout);
        socket.setTcpNoDelay(true);
        if ("https".equals(endpoint.getScheme()) && tls != null) {
          SSLSocket secure = (SSLSocket) tls.getSocketFactory().createSocket(socket, endpoint.getHost(),
              endpoint.getPort(), true);
          SSLParameters parameters = secure.getSSLParameters();
          parameters.setEndpointIdentificationAlgorithm("HTTPS"); // the certificate must name the address
          secure.setSSLParameters(parameters);
          secure.startHandshake();
          socket = secure;
        }
        return new Connection(endpoint, socket);
      } catch (IOException e) {
        socket.close();
        last = e;
      }
    }
    throw last != null ? last : new IOException("no etcd endpoint");
  }

  /** One HTTP/1.1 connection to one endpoint. */
  private static final class Connection {
    private final URI endpoint;
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private volatile boolean closed;

    Connection(URI endpoint, Socket socket) throws IOException {
      this.endpoint = endpoint;
      this.socket = socket;
      this.in = new BufferedInputStream(socket.getInputStream());
      this.out = socket.getOutputStream();
    }

    Map<String, Object> call(String path, Map<String, Object> body) throws IOException {
      return Json.object(open(path, body).readAllBytes());
    }

    /** Sends the request and reads the head of the answer; returns its body. */
    InputStream open(String path, Map<String, Object> body) throws IOException {
      byte[] json = Json.bytes(body);
      out.write(("POST " + path + " HTTP/1.1\r\nHost: " + endpoint.getHost() + ":" + endpoint.getPort()
          + "\r\nContent-Type: application/json\r\nContent-Length: " + json.length + "\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      out.write(json);
      out.flush();
      String status = HttpBodies.line(in);
      long length = -1;
      boolean chunked = false;
      for (String header = HttpBodies.line(in); !header.isEmpty(); header = HttpBodies.line(in)) {
        String lower = header.toLowerCase(Locale.ROOT);
        if (lower.startsWith("content-length:")) {
          length = Long.parseLong(lower.substring(15).strip());
        } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
          chunked = true;
        }
      }
      InputStream body0 = chunked ? new HttpBodies.Chunked(in) : length >= 0 ? new HttpBodies.Bounded(in, length) : in;
      if (!status.matches("HTTP/1\\.[01] 200 .*")) {
        throw rejection(status, body0);
      }
      return body0;
    }

    private static IOException rejection(String status, InputStream body) {
      byte[] bytes;
      try {
        bytes = body.readNBytes(4096);
      } catch (IOException e) {
        bytes = new byte[0];
      }
      try {
        Map<String, Object> error = Json.object(bytes);
        Object message = error.getOrDefault("message", error.get("error"));
        if (message != null && !message.toString().isEmpty()) {
          return new Rejected(message.toString());
        }
      } catch (IOException | RuntimeException e) {
        // not etcd's JSON: something else answered (plain HTTP to a TLS port, a proxy)
      }
      return new IOException(status.strip() + " " + new String(bytes, StandardCharsets.UTF_8).strip());
    }

    void close() {
      closed = true;
      try {
        socket.close();
      } catch (IOException e) {
        // closing: nothing to do
      }
    }
  }
}
