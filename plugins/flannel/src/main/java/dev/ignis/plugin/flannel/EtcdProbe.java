package dev.ignis.plugin.flannel;

import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

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
    SSLContext context = context(tls);
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

  private static SSLContext context(EtcdTls tls) {
    try {
      CertificateFactory x509 = CertificateFactory.getInstance("X.509");
      Certificate ca = x509.generateCertificate(Files.newInputStream(tls.ca()));
      Certificate cert = x509.generateCertificate(Files.newInputStream(tls.cert()));
      String pem = Files.readString(tls.key()).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
      PrivateKey key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder()
          .decode(pem)));
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setCertificateEntry("ca", ca);
      store.setKeyEntry("client", key, new char[0], new Certificate[] {cert});
      KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keys.init(store, new char[0]);
      TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(store);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keys.getKeyManagers(), trust.getTrustManagers(), null);
      return context;
    } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
      throw new IgnisException(ErrorCode.INVALID_ENVIRONMENT, "the TLS files in " + tls.dir() + " are not a usable CA,"
          + " certificate and key (" + e.getMessage() + "); copy the join bundle from the first node again", e);
    }
  }

  private static IgnisException unreachable(String where, String why) {
    return new IgnisException(ErrorCode.PLUGIN_NOT_AVAILABLE, "cannot reach etcd at " + where + " (" + why + "); is"
        + " etcd running on that node and port " + where.substring(where.lastIndexOf(':') + 1) + "/tcp open?");
  }
}
