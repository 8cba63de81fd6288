package dev.ignis.plugin.flannel;

import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import io.grpc.netty.GrpcSslContexts;
import io.netty.handler.ssl.SslContext;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.net.ssl.SSLException;

/**
 * The TLS material an etcd client of this network uses: the network's CA, and a client
 * certificate and key it signed (PEM, key in PKCS#8), all in one directory.
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

  SslContext clientContext() {
    for (Path file : new Path[] {ca(), cert(), key()}) {
      if (!Files.isReadable(file)) {
        throw new IgnisException(ErrorCode.INVALID_ENVIRONMENT, "TLS file " + file + " is missing; copy the join"
            + " bundle that 'bootstrap init' printed on the first node, or use --insecure on every node");
      }
    }
    try {
      return GrpcSslContexts.forClient().trustManager(ca().toFile()).keyManager(cert().toFile(), key().toFile()).build();
    } catch (SSLException | IllegalArgumentException e) {
      throw new IgnisException(ErrorCode.INVALID_ENVIRONMENT, "the TLS files in " + dir + " are not a usable CA,"
          + " certificate and key (" + e.getMessage() + "); copy the join bundle from the first node again", e);
    }
  }
}
