package dev.ignis.plugin.flannel;

import dev.ignis.spi.Command;
import dev.ignis.spi.CommandRunner;
import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/**
 * The network's TLS material, made by {@code init} with openssl in {@code <state>/tls}: a CA
 * (P-256, ten years), a certificate for etcd's client and peer ports (its SANs are the node's
 * public IP and 127.0.0.1) and a client certificate for the nodes. The join bundle is one PEM
 * file with the CA certificate and the client certificate and key; {@code join --bundle}
 * unpacks it into the joining node's {@code tls} dir ({@link EtcdTls}).
 */
final class EtcdCertificates {

  static final String BUNDLE = "flannel-join-bundle.pem";

  private final Path dir;
  private final CommandRunner commands;

  EtcdCertificates(Path dir, CommandRunner commands) {
    this.dir = dir;
    this.commands = commands;
  }

  /** Makes the CA and certificates unless they exist (init run again keeps them). */
  void ensure(String publicIp) {
    if (Files.exists(dir.resolve("server.crt")) && Files.exists(dir.resolve("client.crt"))) {
      return;
    }
    try {
      Files.createDirectories(dir);
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
      Files.writeString(dir.resolve("server.ext"), "subjectAltName=IP:" + publicIp + ",IP:127.0.0.1\n"
          + "extendedKeyUsage=serverAuth,clientAuth\n");
      Files.writeString(dir.resolve("client.ext"), "extendedKeyUsage=clientAuth\n");
    } catch (IOException e) {
      throw new IgnisException(ErrorCode.IO_FAILURE, "cannot prepare " + dir + ": " + e.getMessage(), e);
    }
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
        file("ca.key"), "-out", file("ca.crt"), "-days", "3650", "-subj", "/CN=ignis-flannel-ca");
    sign("server", "/CN=ignis-flannel-etcd");
    sign("client", "/CN=ignis-flannel-node");
  }

  private void sign(String name, String subject) {
    openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", file(name + ".key"),
        "-out", file(name + ".csr"), "-subj", subject);
    openssl("x509", "-req", "-in", file(name + ".csr"), "-CA", file("ca.crt"), "-CAkey", file("ca.key"),
        "-CAcreateserial", "-out", file(name + ".crt"), "-days", "3650", "-extfile", file(name + ".ext"));
  }

  List<String> etcdServerArguments() {
    return List.of("--cert-file", file("server.crt"), "--key-file", file("server.key"), "--client-cert-auth",
        "--trusted-ca-file", file("ca.crt"), "--peer-cert-file", file("server.crt"), "--peer-key-file",
        file("server.key"), "--peer-client-cert-auth", "--peer-trusted-ca-file", file("ca.crt"));
  }

  /** Writes the join bundle next to the TLS dir and returns its path. */
  Path writeBundle() {
    Path bundle = dir.resolveSibling(BUNDLE);
    try {
      Files.writeString(bundle, Files.readString(dir.resolve("ca.crt")) + Files.readString(dir.resolve("client.crt"))
          + Files.readString(dir.resolve("client.key")));
      Files.setPosixFilePermissions(bundle, PosixFilePermissions.fromString("rw-------"));
      return bundle;
    } catch (IOException e) {
      throw new IgnisException(ErrorCode.IO_FAILURE, "cannot write the join bundle " + bundle + ": " + e.getMessage(), e);
    }
  }

  /** Unpacks a join bundle into {@code tlsDir} as {@link EtcdTls} expects it. */
  static void unpackBundle(Path bundle, Path tlsDir) {
    List<String> certificates = new ArrayList<>();
    String key = null;
    try {
      String text = Files.readString(bundle);
      java.util.regex.Matcher block = java.util.regex.Pattern
          .compile("-----BEGIN ([A-Z ]+)-----[^-]+-----END \\1-----\\n?").matcher(text);
      while (block.find()) {
        if (block.group(1).equals("CERTIFICATE")) {
          certificates.add(block.group());
        } else if (block.group(1).equals("PRIVATE KEY")) {
          key = block.group();
        }
      }
      if (certificates.size() != 2 || key == null) {
        throw new IgnisException(ErrorCode.INVALID_ARGUMENT, bundle + " is not a flannel join bundle (it needs the CA"
            + " certificate, a client certificate and its key); copy " + BUNDLE + " from the first node");
      }
      Files.createDirectories(tlsDir);
      Files.setPosixFilePermissions(tlsDir, PosixFilePermissions.fromString("rwx------"));
      Files.writeString(tlsDir.resolve("ca.crt"), certificates.get(0));
      Files.writeString(tlsDir.resolve("client.crt"), certificates.get(1));
      Files.writeString(tlsDir.resolve("client.key"), key);
    } catch (java.nio.file.NoSuchFileException e) {
      throw new IgnisException(ErrorCode.INVALID_ARGUMENT, "join bundle " + bundle + " does not exist; copy " + BUNDLE
          + " from the first node's flannel state dir", e);
    } catch (IOException e) {
      throw new IgnisException(ErrorCode.IO_FAILURE, "cannot read " + bundle + ": " + e.getMessage(), e);
    }
  }

  private String file(String name) {
    return dir.resolve(name).toString();
  }

  private void openssl(String... args) {
    List<String> argv = new ArrayList<>(List.of("openssl"));
    argv.addAll(List.of(args));
    commands.run(Command.of(argv)).orThrow(ErrorCode.PLUGIN_NOT_AVAILABLE);
  }
}
