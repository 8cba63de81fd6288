package dev.ignis.runtime.image.oci;

import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.URLEncoder;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/**
 * The local Docker Engine, asked for one image as a {@code docker save} archive ({@code GET
 * /images/NAME/get}) over its Unix socket: {@code DOCKER_HOST} when it names one ({@code
 * unix:///path}), else {@code /var/run/docker.sock}. HTTP/1.0, so the answer comes whole and
 * unchunked; a few lines, where docker-java would bring a client and its dependencies.
 */
public final class DockerEngine {

  private final Path socket;

  public DockerEngine(Map<String, String> environment) {
    String host = environment.getOrDefault("DOCKER_HOST", "");
    this.socket = host.startsWith("unix://") ? Path.of(host.substring("unix://".length()))
        : Path.of("/var/run/docker.sock");
  }

  /** Writes the image's archive to {@code out}. */
  void save(String name, OutputStream out) throws IOException {
    if (name.isBlank() || name.chars().anyMatch(c -> c <= ' ')) {
      throw new IgnisException(ErrorCode.INVALID_ARGUMENT, "docker://" + name + " names no image; give docker://NAME:TAG");
    }
    SocketChannel channel;
    try {
      channel = SocketChannel.open(StandardProtocolFamily.UNIX);
      channel.connect(UnixDomainSocketAddress.of(socket));
    } catch (IOException e) {
      throw new IgnisException(ErrorCode.INVALID_ENVIRONMENT, "no Docker Engine answers at " + socket + " ("
          + e.getMessage() + "); start it, or set DOCKER_HOST=unix:///path/to/docker.sock");
    }
    try (channel; InputStream in = Channels.newInputStream(channel); OutputStream request = Channels.newOutputStream(channel)) {
      request.write(("GET /images/" + URLEncoder.encode(name, StandardCharsets.UTF_8) + "/get HTTP/1.0\r\nHost: docker\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      request.flush();
      String status = line(in);
      while (!line(in).isEmpty()) {
        // headers: HTTP/1.0, so the body runs to the end of the connection
      }
      if (!status.matches("HTTP/1\\.[01] 200.*")) {
        String body = new String(in.readNBytes(4096), StandardCharsets.UTF_8).strip();
        throw new IgnisException(status.contains(" 404") ? ErrorCode.NOT_FOUND : ErrorCode.PLUGIN_FAILED,
            "the Docker Engine at " + socket + " cannot give image " + name + ": " + status.replaceFirst("HTTP/1\\.[01] ", "")
            + (body.isEmpty() ? "" : " " + body) + (status.contains(" 404") ? "; 'docker images' lists what it has" : ""));
      }
      in.transferTo(out);
    }
  }

  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    for (int b = in.read(); b >= 0 && b != '\n'; b = in.read()) {
      if (b != '\r') {
        line.write(b);
      }
    }
    return line.toString(StandardCharsets.US_ASCII);
  }
}
