package dev.ignis.plugin.flannel;

import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The etcd of the first node: Debian's {@code etcd} with its data under the plugin's state dir,
 * serving clients on the node's public IP and loopback (2379) and peers on the public IP
 * (2380), with TLS for both when the network is secure.
 */
final class EtcdServer {

  static final int CLIENT_PORT = 2379;
  static final int PEER_PORT = 2380;

  private final Path stateDir;
  private final DetachedProcess process;

  EtcdServer(Path stateDir) {
    this.stateDir = stateDir;
    this.process = DetachedProcess.in(stateDir, "etcd");
  }

  static String clientUrl(String ip, boolean tls) {
    return (tls ? "https://" : "http://") + ip + ":" + CLIENT_PORT;
  }

  Path dataDir() {
    return stateDir.resolve("etcd-data");
  }

  boolean running() {
    return process.running().isPresent();
  }

  /** Starts etcd unless it runs already. */
  void start(String publicIp, EtcdCertificates certificates) {
    if (running()) {
      return;
    }
    String scheme = certificates == null ? "http://" : "https://";
    List<String> argv = new ArrayList<>(List.of("etcd", "--name", "ignis-" + publicIp.replace('.', '-'),
        "--data-dir", dataDir().toString(),
        "--listen-client-urls", scheme + publicIp + ":" + CLIENT_PORT + "," + scheme + "127.0.0.1:" + CLIENT_PORT,
        "--advertise-client-urls", scheme + publicIp + ":" + CLIENT_PORT,
        "--listen-peer-urls", scheme + publicIp + ":" + PEER_PORT,
        "--initial-advertise-peer-urls", scheme + publicIp + ":" + PEER_PORT,
        "--initial-cluster", "ignis-" + publicIp.replace('.', '-') + "=" + scheme + publicIp + ":" + PEER_PORT,
        "--logger=zap"));
    if (certificates != null) {
      argv.addAll(certificates.etcdServerArguments());
    }
    if (!Files.isExecutable(Path.of("/usr/bin/etcd")) && !onPath("etcd")) {
      throw new IgnisException(ErrorCode.PLUGIN_NOT_AVAILABLE, "etcd is not installed; install the Debian package"
          + " etcd-server, or pass --etcd-endpoints of an existing etcd");
    }
    process.start(argv);
  }

  void stop() {
    process.stop(10);
  }

  String lastLogLines() {
    return process.lastLogLines(3);
  }

  private static boolean onPath(String program) {
    String path = System.getenv("PATH");
    return path != null && java.util.Arrays.stream(path.split(":")).anyMatch(d -> Files.isExecutable(Path.of(d, program)));
  }
}
