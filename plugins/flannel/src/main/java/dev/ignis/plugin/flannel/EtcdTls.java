package dev.ignis.plugin.flannel;

import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The TLS material an etcd client of this network uses: the network's CA, and a client
 * certificate and key it signed (PEM, an EC key in PKCS#8, as openssl writes it), all in one
 * directory.
 */
record EtcdTls(Path dir) {

  Path ca() {
    return dir.resolve("ca.crt");
  }

  Path cert() {
    return dir.resolve("client.crt");
  }

  Path key() {
    return dir.resolve("client.key");
  }

  /** A TLS context that trusts only the network's CA and presents the client certificate. */
  SSLContext sslContext() {
    for (Path file : new Path[] {ca(), cert(), key()}) {
      if (!Files.isReadable(file)) {
        throw new IgnisException(ErrorCode.INVALID_ENVIRONMENT, "TLS file " + file + " is missing; copy the join"
            + " bundle that 'bootstrap init' printed on the first node, or use --insecure on every node");
      }
    }
    try (InputStream caPem = Files.newInputStream(ca()); InputStream certPem = Files.newInputStream(cert())) {
      CertificateFactory x509 = CertificateFactory.getInstance("X.509");
      Certificate authority = x509.generateCertificate(caPem);
      Certificate certificate = x509.generateCertificate(certPem);
      String pem = Files.readString(key()).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
      PrivateKey privateKey = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder()
          .decode(pem)));
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setCertificateEntry("ca", authority);
      store.setKeyEntry("client", privateKey, new char[0], new Certificate[] {certificate});
      KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keys.init(store, new char[0]);
      TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(store);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keys.getKeyManagers(), trust.getTrustManagers(), null);
      return context;
    } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
      throw new IgnisException(ErrorCode.INVALID_ENVIRONMENT, "the TLS files in " + dir + " are not a usable CA,"
          + " certificate and key (" + e.getMessage() + "); copy the join bundle from the first node again", e);
    }
  }
}
