package dev.ignis.runtime.daemon.http;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import jdk.net.UnixDomainPrincipal;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import jdk.net.ExtendedSocketOptions;

/**
 * HTTP/1.1 on a Unix socket, one request per connection and a thread per connection (a
 * command may stream for as long as it runs). Every peer is checked by its credentials from
 * the kernel before a byte is read; one not allowed gets 403.
 *
 * <p>Written here rather than taken from a server library: the JDK's server binds TCP only,
 * and what ignisd needs is small (no keep-alive, no TLS, no chunked requests) while it must
 * see the accepted channel for {@code SO_PEERCRED} and start and idle lean.
 */
public final class UnixHttpServer implements AutoCloseable {

  /** Answers one exchange; an exception not answered yet becomes a 500. */
  @FunctionalInterface
  public interface Handler {
    void handle(Exchange exchange) throws IOException;
  }

  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(UnixHttpServer.class);

  private final Path socket;
  private final ServerSocketChannel server;
  private final Predicate<UnixDomainPrincipal> allowed;
  private final Handler handler;
  private final AtomicLong connections = new AtomicLong();
  private volatile boolean closed;

  private UnixHttpServer(Path socket, ServerSocketChannel server, Predicate<UnixDomainPrincipal> allowed,
      Handler handler) {
    this.socket = socket;
    this.server = server;
    this.allowed = allowed;
    this.handler = handler;
  }

  /**
   * Binds {@code socket} (a stale file there is replaced; the caller holds the lock that makes
   * this the only server for it) with the given mode, e.g. {@code rw-------}.
   */
  public static UnixHttpServer bind(Path socket, String mode, Predicate<UnixDomainPrincipal> allowed, Handler handler)
      throws IOException {
    Files.deleteIfExists(socket);
    ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    try {
      server.bind(UnixDomainSocketAddress.of(socket), 64);
      Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString(mode));
    } catch (IOException e) {
      server.close();
      throw e;
    }
    return new UnixHttpServer(socket, server, allowed, handler);
  }

  /** Accepts connections on a thread of its own until {@link #close}. */
  public void start() {
    Thread acceptor = new Thread(this::acceptLoop, "ignisd-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  private void acceptLoop() {
    while (!closed) {
      try {
        SocketChannel channel = server.accept();
        Thread thread = new Thread(() -> serve(channel), "ignisd-conn-" + connections.incrementAndGet());
        thread.setDaemon(true);
        thread.start();
      } catch (ClosedChannelException e) {
        return;
      } catch (IOException e) {
        if (!closed) {
          log.warn("accept on {} failed: {}", socket, e.getMessage());
        }
      }
    }
  }

  private void serve(SocketChannel channel) {
    try (channel) {
      UnixDomainPrincipal peer = channel.getOption(ExtendedSocketOptions.SO_PEERCRED);
      InputStream in = new BufferedInputStream(Channels.newInputStream(channel), 8192);
      OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel), 8192);
      if (!allowed.test(peer)) {
        log.warn("refused a connection from user {} (group {})", peer.user().getName(), peer.group().getName());
        new Exchange(null, out, peer).respond(403, "application/json", ErrorBody.json(403,
            "user " + peer.user().getName() + " may not use this ignisd; run as its owner or root, or join its group"));
        return;
      }
      HttpRequest request;
      try {
        request = HttpRequest.read(in);
      } catch (HttpRequest.Malformed e) {
        new Exchange(null, out, peer).respond(e.status, "application/json", ErrorBody.json(e.status, e.getMessage()));
        return;
      }
      if (request == null) {
        return;
      }
      Exchange exchange = new Exchange(request, out, peer);
      try {
        handler.handle(exchange);
      } catch (IOException e) {
        log.debug("{} {}: the client went away: {}", request.method(), request.path(), e.getMessage());
      } catch (RuntimeException e) {
        log.error("{} {} failed", request.method(), request.path(), e);
        if (!exchange.answered()) {
          exchange.respond(500, "application/json", ErrorBody.json(500, "internal error: " + e));
        }
      }
      out.flush();
    } catch (IOException e) {
      log.debug("connection ended: {}", e.getMessage());
    }
  }

  @Override
  public void close() {
    closed = true;
    try {
      server.close();
    } catch (IOException e) {
      // Closing; nothing to add.
    }
    try {
      Files.deleteIfExists(socket);
    } catch (IOException e) {
      log.warn("cannot remove {}: {}", socket, e.getMessage());
    }
  }
}
