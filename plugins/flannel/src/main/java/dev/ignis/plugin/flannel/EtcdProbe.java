package dev.ignis.plugin.flannel;

import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;

/**
 * Checks an etcd endpoint before the etcd client tries (which retries until its timeout and
 * then knows only that nothing answered): a TCP connect names an unreachable address and port
 * at once, and a TLS handshake with this node's material names a wrong CA, certificate or key.
 */
final class EtcdProbe {

  private static final int TIMEOUT_MILLIS = 3000;

  private EtcdProbe() {}

  static void check(List<String> endpoints, EtcdTls tls) {
    check(endpoints, tls, TIMEOUT_MILLIS);
  }

  /** The same, giving a silent address at most {@code timeoutMillis} to accept the connection. */
  static void check(List<String> endpoints, EtcdTls tls, int timeoutMillis) {
    URI uri = URI.create(endpoints.get(0));
    String where = uri.getHost() + ":" + uri.getPort();
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), timeoutMillis);
    } catch (ConnectException e) {
      throw unreachable(where, "connection refused: nothing listens there");
    } catch (SocketTimeoutException e) {
      throw unreachable(where, "no answer within " + timeoutMillis + " ms");
    } catch (IOException e) {
      throw unreachable(where, e.getMessage());
    }
    if (tls != null && uri.getScheme().equals("https")) {
      handshake(uri, where, tls);
    }
  }

  private static void handshake(URI uri, String where, EtcdTls tls) {
    SSLContext context = tls.sslContext();
    try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket()) {
      socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), TIMEOUT_MILLIS);
      socket.setSoTimeout(TIMEOUT_MILLIS);
      socket.startHandshake();
      socket.getInputStream().available(); // the server checks our certificate after its own
    } catch (SSLException e) {
      throw new IgnisException(ErrorCode.INVALID_ENVIRONMENT, "etcd at " + where + " and this node do not trust each"
          + " other's TLS certificates (" + e.getMessage() + "); copy the join bundle of this network from its first"
          + " node, or --insecure if that node runs without TLS");
    } catch (IOException e) {
      throw unreachable(where, e.getMessage());
    }
  }

  private static IgnisException unreachable(String where, String why) {
    return new IgnisException(ErrorCode.PLUGIN_NOT_AVAILABLE, "cannot reach etcd at " + where + " (" + why + "); is"
        + " etcd running on that node and port " + where.substring(where.lastIndexOf(':') + 1) + "/tcp open?");
  }
}
