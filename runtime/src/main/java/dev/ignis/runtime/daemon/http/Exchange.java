package dev.ignis.runtime.daemon.http;

import java.io.IOException;
import java.io.OutputStream;
import jdk.net.UnixDomainPrincipal;
import java.nio.charset.StandardCharsets;

/**
 * A request and the means to answer it, once: a whole body, or a stream delimited by the
 * connection's end (every answer closes its connection).
 */
public final class Exchange {

  private final HttpRequest request;
  private final OutputStream out;
  private final UnixDomainPrincipal peer;
  private boolean answered;

  Exchange(HttpRequest request, OutputStream out, UnixDomainPrincipal peer) {
    this.request = request;
    this.out = out;
    this.peer = peer;
  }

  public HttpRequest request() {
    return request;
  }

  /** Who is on the other end of the socket (from the kernel, {@code SO_PEERCRED}). */
  public UnixDomainPrincipal peer() {
    return peer;
  }

  public boolean answered() {
    return answered;
  }

  /** Answers with a whole body. */
  public void respond(int status, String contentType, byte[] body) throws IOException {
    head(status, contentType, body.length);
    out.write(body);
    out.flush();
  }

  public void respond(int status, String contentType, String body) throws IOException {
    respond(status, contentType, body.getBytes(StandardCharsets.UTF_8));
  }

  /** Answers with a body streamed until the returned stream (and so the connection) closes. */
  public OutputStream stream(int status, String contentType) throws IOException {
    head(status, contentType, -1);
    out.flush();
    return out;
  }

  private void head(int status, String contentType, long length) throws IOException {
    if (answered) {
      throw new IllegalStateException("answered twice");
    }
    answered = true;
    StringBuilder head = new StringBuilder("HTTP/1.1 ").append(status).append(' ').append(reason(status)).append("\r\n")
        .append("Content-Type: ").append(contentType).append("\r\n")
        .append("Connection: close\r\n")
        .append("Cache-Control: no-store\r\n");
    if (length >= 0) {
      head.append("Content-Length: ").append(length).append("\r\n");
    }
    out.write(head.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
  }

  static String reason(int status) {
    return switch (status) {
      case 200 -> "OK";
      case 201 -> "Created";
      case 202 -> "Accepted";
      case 204 -> "No Content";
      case 400 -> "Bad Request";
      case 403 -> "Forbidden";
      case 404 -> "Not Found";
      case 405 -> "Method Not Allowed";
      case 409 -> "Conflict";
      case 411 -> "Length Required";
      case 413 -> "Payload Too Large";
      case 415 -> "Unsupported Media Type";
      case 431 -> "Request Header Fields Too Large";
      case 500 -> "Internal Server Error";
      case 502 -> "Bad Gateway";
      case 503 -> "Service Unavailable";
      default -> "Status " + status;
    };
  }
}
