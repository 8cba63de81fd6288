package dev.ignis.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Several "nodes" on one machine: each a network namespace with its own address on a shared
 * underlay (a bridge in a namespace of its own, unique names and a random 192.168.x.0/24), its
 * own Ignis state, CNI conf, cache and IPAM dirs and subnet.env, and the runtime run inside it
 * with nsenter (same mount namespace, so sandboxes and etcd data stay visible). Closing removes
 * the namespaces, after killing whatever a node left running.
 */
final class TestNodes implements AutoCloseable {

  private static final SecureRandom RANDOM = new SecureRandom();

  /** One node. */
  final class Node {
    final String netns;
    final String ip;
    final Path dir;
    private final Map<String, String> settings = new HashMap<>();

    private Node(int index) throws Exception {
      netns = "ignis-it-" + suffix + "-n" + index;
      ip = prefix + index;
      dir = Files.createDirectories(work.resolve("node" + index));
      String link = "igu" + suffix + index;
      Ignis.sh("ip", "netns", "add", netns);
      Ignis.sh("ip", "link", "add", "eth0", "netns", netns, "type", "veth", "peer", "name", link, "netns", underlay);
      Ignis.sh("ip", "-n", underlay, "link", "set", link, "master", "br0", "up");
      Ignis.sh("ip", "-n", netns, "addr", "add", ip + "/24", "dev", "eth0");
      Ignis.sh("ip", "-n", netns, "link", "set", "eth0", "up");
      Ignis.sh("ip", "-n", netns, "link", "set", "lo", "up");
    }

    Map<String, String> environment() {
      Map<String, String> env = new HashMap<>();
      env.put("IGNIS_STATE_DIR", dir.resolve("state").toString());
      env.put("IGNIS_DAEMON", "off"); // each command in its own process, inside the node's netns
      env.put("IGNIS_PLUGINS_DIR", Ignis.DIST.resolve("plugins").toString());
      env.put("IGNIS_CONFIG", dir.resolve("no-config").toString());
      env.put("IGNIS_IMAGES_DIR", System.getProperty("ignis.images"));
      env.put("IGNIS_PLUGIN_FLANNEL_SUBNET_FILE", dir.resolve("subnet.env").toString());
      env.put("IGNIS_PLUGIN_FLANNEL_CNI_CONF_DIR", dir.resolve("net.d").toString());
      env.put("IGNIS_PLUGIN_FLANNEL_CNI_CACHE_DIR", dir.resolve("cni-cache").toString());
      env.put("IGNIS_PLUGIN_FLANNEL_IPAM_DIR", dir.resolve("ipam").toString());
      env.put("IGNIS_PLUGIN_CNI_CONF_DIR", dir.resolve("net.d").toString());
      env.put("IGNIS_PLUGIN_CNI_CACHE_DIR", dir.resolve("cni-cache").toString());
      env.putAll(settings);
      return env;
    }

    /**
     * Runs this node's later commands through its ignisd (started on demand, inside the node's
     * netns) rather than each in a process of its own.
     */
    Node throughDaemon() throws IOException {
      Files.createDirectories(dir.resolve("state")); // ignisd is started only for a state dir that exists
      settings.put("IGNIS_DAEMON", "on");
      return this;
    }

    /** The pid of this node's running ignisd, or -1. */
    long daemonPid() throws IOException {
      Path pidFile = dir.resolve("state/daemon/ignisd.pid");
      if (!Files.exists(pidFile)) {
        return -1;
      }
      long pid = Long.parseLong(Files.readString(pidFile).strip());
      return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) ? pid : -1;
    }

    /** {@code bin/runtime ARGS} inside this node, in a process of its own whatever the node's mode. */
    Ignis.Result inProcess(String... args) throws IOException, InterruptedException {
      String before = settings.put("IGNIS_DAEMON", "off");
      try {
        return runtime(args);
      } finally {
        if (before == null) {
          settings.remove("IGNIS_DAEMON");
        } else {
          settings.put("IGNIS_DAEMON", before);
        }
      }
    }

    /** A flannel plugin setting for this node's later commands, such as {@code lease-ttl}. */
    Node withFlannelSetting(String key, String value) {
      settings.put("IGNIS_PLUGIN_FLANNEL_" + key.toUpperCase(java.util.Locale.ROOT).replace('-', '_'), value);
      return this;
    }

    /** {@code bin/runtime --network-plugin flannel ARGS} inside this node. */
    Ignis.Result flannel(String... args) throws IOException, InterruptedException {
      List<String> all = new ArrayList<>(List.of("--network-plugin", "flannel"));
      all.addAll(List.of(args));
      return runtime(all.toArray(String[]::new));
    }

    /** {@code bin/runtime ARGS} inside this node. */
    Ignis.Result runtime(String... args) throws IOException, InterruptedException {
      List<String> command = new ArrayList<>(List.of("nsenter", "--net=/run/netns/" + netns, "--",
          Ignis.DIST.resolve("bin/runtime").toString()));
      command.addAll(List.of(args));
      ProcessBuilder builder = new ProcessBuilder(command);
      builder.environment().putAll(environment());
      Path out = dir.resolve("last.out");
      Path err = dir.resolve("last.err");
      Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
      assertThat(process.waitFor(180, TimeUnit.SECONDS)).as("runtime %s finished", args).isTrue();
      return new Ignis.Result(process.exitValue(), Files.readString(out), Files.readString(err));
    }

    /** Runs and expects success; returns standard output. */
    String ok(String... args) throws IOException, InterruptedException {
      Ignis.Result result = runtime(args);
      assertThat(result.status()).as("runtime %s on %s: %s%s", String.join(" ", args), netns, result.out(), result.err())
          .isZero();
      return result.out();
    }

    String fetch(String host, String path) throws IOException, InterruptedException {
      return NetnsHttp.get(netns, host, 80, path);
    }

    String fetch(String host, int port, String path) throws IOException, InterruptedException {
      return NetnsHttp.get(netns, host, port, path);
    }

    String sh(String... command) throws IOException, InterruptedException {
      List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", netns));
      argv.addAll(List.of(command));
      return Ignis.sh(argv.toArray(String[]::new));
    }
  }

  private final Path work;
  private final String suffix;
  final String prefix; // "192.168.x."
  private final String underlay;
  private final List<Node> nodes = new ArrayList<>();

  TestNodes(Path work) throws Exception {
    this.work = work;
    this.suffix = Integer.toHexString(0x1000 + RANDOM.nextInt(0xefff));
    this.prefix = "192.168." + (100 + RANDOM.nextInt(150)) + ".";
    this.underlay = "ignis-it-" + suffix + "-u";
    Ignis.sh("ip", "netns", "add", underlay);
    Ignis.sh("ip", "-n", underlay, "link", "add", "br0", "type", "bridge");
    Ignis.sh("ip", "-n", underlay, "link", "set", "br0", "up");
    Ignis.sh("ip", "-n", underlay, "addr", "add", outside() + "/24", "dev", "br0");
  }

  /** An address on the underlay outside every node, with no route to any overlay. */
  String outside() {
    return prefix + "254";
  }

  Node add() throws Exception {
    Node node = new Node(nodes.size() + 1);
    nodes.add(node);
    return node;
  }

  /** A random /16 for the flannel network of a test. */
  static String network() {
    return "10." + (150 + RANDOM.nextInt(90)) + ".0.0/16";
  }

  /** Kills what the nodes left running (etcd, agents, QEMU: their command lines name the work dir), removes the namespaces. */
  @Override
  public void close() throws Exception {
    Ignis.killProcessesNaming(work);
    for (Node node : nodes) {
      // A test that failed before 'rm' leaves its VMs' sandbox pins in the shared /run/netns.
      Path vms = node.dir.resolve("state/vms");
      if (Files.isDirectory(vms)) {
        try (var ids = Files.list(vms)) {
          for (Path vm : ids.toList()) {
            if (Files.exists(Path.of("/run/netns/ignis-" + vm.getFileName()))) {
              new ProcessBuilder("ip", "netns", "delete", "ignis-" + vm.getFileName()).start().waitFor();
            }
          }
        }
      }
      new ProcessBuilder("ip", "netns", "delete", node.netns).start().waitFor();
    }
    new ProcessBuilder("ip", "netns", "delete", underlay).start().waitFor();
  }
}
