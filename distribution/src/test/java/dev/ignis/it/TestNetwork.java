package dev.ignis.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A CNI network of a test's own: a unique name, bridge and /24 subnet, with its conf dir,
 * cache dir and host-local data dir under the test's work dir, so tests never touch the
 * host's /etc/cni/net.d or /var/lib/cni.
 */
final class TestNetwork {

  private static final SecureRandom RANDOM = new SecureRandom();

  final String name;
  final String bridge;
  final String prefix; // "10.x.y."
  final String prefix6; // "fdxx:xxxx:xxxx::", a unique local /64 of this test's own
  final Path confDir;
  final Path cacheDir;
  final Path ipamDir;
  final Path binDir;

  TestNetwork(Path work) throws IOException {
    String suffix = Integer.toHexString(0x100000 + RANDOM.nextInt(0xeffff));
    name = "ignis-it-" + suffix;
    bridge = "igt" + suffix;
    prefix = "10." + (150 + RANDOM.nextInt(90)) + "." + RANDOM.nextInt(256) + ".";
    prefix6 = String.format("fd%02x:%x:%x::", RANDOM.nextInt(256), RANDOM.nextInt(0x10000), RANDOM.nextInt(0x10000));
    confDir = Files.createDirectories(work.resolve("net.d"));
    cacheDir = work.resolve("cni-cache");
    ipamDir = work.resolve("ipam");
    binDir = Files.createDirectories(work.resolve("cni-bin"));
  }

  String subnet() {
    return prefix + "0/24";
  }

  String gateway() {
    return prefix + "1";
  }

  /** The default network's shape (bridge with ipMasq, portmap, firewall) on this network's own names. */
  String defaultShapedConflist() {
    return """
        {"cniVersion":"0.4.0","name":"%s","plugins":[
          {"type":"bridge","bridge":"%s","isGateway":true,"isDefaultGateway":true,"promiscMode":true,"ipMasq":true,
           "ipam":{"type":"host-local","subnet":"%s","dataDir":"%s"}},
          {"type":"portmap","capabilities":{"portMappings":true}},
          {"type":"firewall"}]}
        """.formatted(name, bridge, subnet(), ipamDir);
  }

  /** Dual stack: one host-local range of each family (static IPs of both through the ips capability), portmap for both. */
  String dualStackConflist() {
    return """
        {"cniVersion":"1.0.0","name":"%s","plugins":[
          {"type":"bridge","bridge":"%s","isGateway":true,"isDefaultGateway":true,"ipMasq":true,
           "capabilities":{"ips":true},
           "ipam":{"type":"host-local","ranges":[[{"subnet":"%s"}],[{"subnet":"%s/64"}]],"dataDir":"%s"}},
          {"type":"portmap","capabilities":{"portMappings":true}}]}
        """.formatted(name, bridge, subnet(), prefix6, ipamDir);
  }

  /** A network for a VM's second card: a bridge with its gateway, no default route, ports through portmap. */
  String secondaryConflist() {
    return """
        {"cniVersion":"1.0.0","name":"%s","plugins":[
          {"type":"bridge","bridge":"%s","isGateway":true,
           "ipam":{"type":"host-local","subnet":"%s","dataDir":"%s"}},
          {"type":"portmap","capabilities":{"portMappings":true}}]}
        """.formatted(name, bridge, subnet(), ipamDir);
  }

  TestNetwork write(String conflist) throws IOException {
    Files.writeString(confDir.resolve("10-test.conflist"), conflist);
    return this;
  }

  /** A CNI plugin of the test's own: a shell script in the bin dir, found before /usr/lib/cni. */
  Path plugin(String type, String body) throws IOException {
    Path file = binDir.resolve(type);
    Files.writeString(file, "#!/bin/sh\n" + body + "\n");
    Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
    return file;
  }

  /** Points the runtime's cni plugin at this network. */
  Ignis configure(Ignis ignis) {
    return ignis.withEnv("IGNIS_PLUGIN_CNI_CONF_DIR", confDir.toString())
        .withEnv("IGNIS_PLUGIN_CNI_CACHE_DIR", cacheDir.toString())
        .withEnv("IGNIS_PLUGIN_CNI_BIN_PATH", binDir + ":/usr/lib/cni")
        .withEnv("IGNIS_PLUGIN_CNI_TIMEOUT", "10");
  }

  /** GET http://host:port/ with a short timeout; the body, or the failure's class name. */
  static String fetch(String host, int port) {
    return fetch(host, port, "/");
  }

  /** GET http://host:port/path with a short timeout; the body, or the failure's class name. */
  static String fetch(String host, int port, String path) {
    try {
      HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
      for (int attempt = 0; ; attempt++) {
        try {
          return client.send(HttpRequest.newBuilder(URI.create("http://" + host + ":" + port + path))
              .timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.ofString()).body().strip();
        } catch (IOException e) {
          if (attempt == 10) {
            return e.getClass().getSimpleName();
          }
          Thread.sleep(100); // the listener may still be starting
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
  }

  /** A host port that is free now. */
  static int freePort() throws IOException {
    // Below Linux's ephemeral range (32768 and up): a port the kernel handed out for a moment
    // could be any outgoing connection's by the time a VM publishes it.
    for (int attempt = 0; ; attempt++) {
      int port = 20000 + java.util.concurrent.ThreadLocalRandom.current().nextInt(12000);
      try (ServerSocket socket = new ServerSocket(port)) {
        return socket.getLocalPort();
      } catch (IOException e) {
        if (attempt == 100) {
          throw e;
        }
      }
    }
  }

  /** Fails unless nothing of this network's attachments is left on the host. */
  void assertNoResidue() throws Exception {
    if (Files.isDirectory(ipamDir.resolve(name))) {
      try (var files = Files.list(ipamDir.resolve(name))) {
        assertThat(files.map(p -> p.getFileName().toString()))
            .as("host-local leases").allMatch(n -> n.equals("lock") || n.startsWith("last_reserved_ip"));
      }
    }
    if (Files.isDirectory(cacheDir.resolve("results"))) {
      try (var files = Files.list(cacheDir.resolve("results"))) {
        assertThat(files).as("CNI cache entries").isEmpty();
      }
    }
    if (Files.exists(Path.of("/sys/class/net", bridge))) {
      assertThat(Ignis.sh("ip", "-o", "link", "show", "master", bridge)).as("veths on " + bridge).isBlank();
    }
    String rules = Ignis.sh("iptables-save");
    assertThat(rules.lines().filter(l -> l.contains(name) || l.contains(prefix))).as("iptables rules").isEmpty();
    String rules6 = Ignis.sh("ip6tables-save");
    assertThat(rules6.lines().filter(l -> l.contains(name) || l.contains(prefix6))).as("ip6tables rules").isEmpty();
  }

  /** Stops the listeners and removes the bridge and CNI's shared chains if no one else uses them. */
  void close() throws Exception {
    if (Files.exists(Path.of("/sys/class/net", bridge))) {
      Ignis.sh("ip", "link", "delete", bridge);
    }
    removeUnusedSharedChains();
  }

  /** CNI's shared chains, once no attachment uses them (scripts/remove-unused-cni-chains). */
  private static void removeUnusedSharedChains() throws Exception {
    run(Path.of(System.getProperty("ignis.scripts"), "remove-unused-cni-chains").toString());
  }

  private static void run(String... command) throws Exception {
    new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
  }
}
