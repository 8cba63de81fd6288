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
 * public IP and 127.0.0.1) and a client certificate for the nodes. The join material comes two
 * ways: one PEM file (the bundle: CA certificate, client certificate and key) and a directory
 * with the same as three files ({@code ca.crt}, {@code client.crt}, {@code client.key}), which
 * flanneld takes as {@code --etcd-cafile}, {@code --etcd-certfile} and {@code --etcd-keyfile}.
 * {@code join --bundle} takes either and copies it into the joining node's {@code tls} dir
 * ({@link EtcdTls}).
 */
final class EtcdCertificates {

  static final String BUNDLE = "flannel-join-bundle.pem";
  static final String JOIN_DIR = "flannel-join";
  private static final List<String> FILES = List.of("ca.crt", "client.crt", "client.key");

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

  /** Writes the join bundle and the join directory next to the TLS dir and returns the bundle's path. */
  Path writeBundle() {
    Path bundle = dir.resolveSibling(BUNDLE);
    Path separate = dir.resolveSibling(JOIN_DIR);
    try {
      Files.writeString(bundle, Files.readString(dir.resolve("ca.crt")) + Files.readString(dir.resolve("client.crt"))
          + Files.readString(dir.resolve("client.key")));
      Files.setPosixFilePermissions(bundle, PosixFilePermissions.fromString("rw-------"));
      Files.createDirectories(separate);
      Files.setPosixFilePermissions(separate, PosixFilePermissions.fromString("rwx------"));
      for (String file : FILES) {
        Files.copy(dir.resolve(file), separate.resolve(file), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.setPosixFilePermissions(separate.resolve(file), PosixFilePermissions.fromString("rw-------"));
      }
      return bundle;
    } catch (IOException e) {
      throw new IgnisException(ErrorCode.IO_FAILURE, "cannot write the join bundle " + bundle + ": " + e.getMessage(), e);
    }
  }

  /** Unpacks a join bundle, or copies a join directory, into {@code tlsDir} as {@link EtcdTls} expects it. */
  static void unpackBundle(Path bundle, Path tlsDir) {
    if (Files.isDirectory(bundle)) {
      copyJoinDir(bundle, tlsDir);
      return;
    }
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

  private static void copyJoinDir(Path source, Path tlsDir) {
    for (String file : FILES) {
      if (!Files.isReadable(source.resolve(file))) {
        throw new IgnisException(ErrorCode.INVALID_ARGUMENT, source + " is not a flannel join directory (it needs "
            + String.join(", ", FILES) + "); copy " + JOIN_DIR + " or " + BUNDLE + " from the first node");
      }
    }
    try {
      Files.createDirectories(tlsDir);
      Files.setPosixFilePermissions(tlsDir, PosixFilePermissions.fromString("rwx------"));
      for (String file : FILES) {
        Files.copy(source.resolve(file), tlsDir.resolve(file), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new IgnisException(ErrorCode.IO_FAILURE, "cannot copy " + source + " to " + tlsDir + ": " + e.getMessage(), e);
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
