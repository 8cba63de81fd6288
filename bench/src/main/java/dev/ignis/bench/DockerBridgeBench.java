package dev.ignis.bench;

import dev.ignis.plugin.cni.CniPlugin;
import dev.ignis.plugin.dockerbridge.DockerBridgePlugin;
import dev.ignis.runtime.exec.ProcessCommandRunner;
import dev.ignis.spi.AttachRequest;
import dev.ignis.spi.Attachment;
import dev.ignis.spi.BootstrapRequest;
import dev.ignis.spi.Command;
import dev.ignis.spi.DetachReason;
import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.NetworkPlugin;
import dev.ignis.spi.PortMapping;
import dev.ignis.spi.VmRef;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Attach and detach latency of the docker-bridge plugin against the cni plugin, in process,
 * same machine, same run, rounds interleaved: docker-bridge against the dockerd given (its
 * sandbox is a container it creates), cni on a network of its own (its sandbox is a netns
 * the runtime makes, counted here as the runtime would: {@code ip netns add} before attach,
 * {@code ip netns delete} after detach). One port mapping each. The first call of each plugin
 * in the JVM (class loading, first connection) is reported apart.
 */
public final class DockerBridgeBench {

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final ProcessCommandRunner RUNNER = new ProcessCommandRunner();

  public static void main(String[] args) throws Exception {
    String host = args[0];
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
    Path work = Files.createTempDirectory("ignis-docker-bench-");
    BenchCniNetwork network = new BenchCniNetwork(work.resolve("cni"));
    try {
      DockerBridgePlugin docker = new DockerBridgePlugin();
      docker.init(new BenchContext(work.resolve("docker-state"), Map.of("host", host, "deprecation-notice", "false"),
          RUNNER));
      CniPlugin cni = network.plugin(RUNNER);
      System.out.println("bootstrap: " + docker.bootstrap(BootstrapRequest.defaults()).findings());

      double[] firstDocker = cycle(docker, 0);
      double[] firstCni = cycle(cni, 0);
      System.out.printf("first call in the JVM: docker-bridge attach %.0f ms, detach %.0f ms; cni attach %.0f ms,"
          + " detach %.0f ms%n", firstDocker[0], firstDocker[1], firstCni[0], firstCni[1]);

      double[][] dockerTimes = new double[2][rounds];
      double[][] cniTimes = new double[2][rounds];
      double[][] cliTimes = new double[2][rounds];
      for (int i = 0; i < rounds; i++) {
        double[] d = cycle(docker, i + 1);
        double[] c = cycle(cni, i + 1);
        double[] floor = dockerCli(host, i + 1);
        cliTimes[0][i] = floor[0];
        cliTimes[1][i] = floor[1];
        dockerTimes[0][i] = d[0];
        dockerTimes[1][i] = d[1];
        cniTimes[0][i] = c[0];
        cniTimes[1][i] = c[1];
      }
      report("attach", dockerTimes[0], cniTimes[0]);
      report("detach", dockerTimes[1], cniTimes[1]);
      System.out.printf("Docker's own floor, the docker CLI: run -d with the same port binding median %.0f ms,"
          + " rm -f median %.0f ms%n", percentile(cliTimes[0], 50), percentile(cliTimes[1], 50));
    } finally {
      network.cleanUp();
      RUNNER.run(Command.of("rm", "-rf", work.toString()));
    }
  }

  /** One attach and detach with one port mapping; milliseconds of each, sandbox making included. */
  private static double[] cycle(NetworkPlugin plugin, int round) {
    VmRef vm = new VmRef(HexFormat.of().formatHex(RANDOM.generateSeed(8)), "bench");
    List<PortMapping> ports = List.of(PortMapping.tcp(31000 + round, 80));
    long start = System.nanoTime();
    String netns = "";
    if (!plugin.bringsOwnSandbox()) {
      netns = "/run/netns/ignis-bench-" + vm.id();
      RUNNER.run(Command.of("ip", "netns", "add", "ignis-bench-" + vm.id())).orThrow(ErrorCode.IO_FAILURE);
    }
    Attachment attachment = plugin.attach(AttachRequest.builder(vm).netnsPath(netns).ports(ports).build());
    long attached = System.nanoTime();
    plugin.detach(attachment, DetachReason.REMOVE);
    if (!plugin.bringsOwnSandbox()) {
      RUNNER.run(Command.of("ip", "netns", "delete", "ignis-bench-" + vm.id())).orThrow(ErrorCode.IO_FAILURE);
    }
    long detached = System.nanoTime();
    return new double[] {(attached - start) / 1e6, (detached - attached) / 1e6};
  }

  /** The same sandbox made and removed by the docker CLI: Docker's own cost (plus the CLI's start). */
  private static double[] dockerCli(String host, int round) {
    long start = System.nanoTime();
    String id = RUNNER.run(Command.of("docker", "-H", host, "run", "-d", "-p", (32000 + round) + ":80",
        "ignis/sandbox:1", "/bin/busybox", "sleep", "3600")).orThrow(ErrorCode.PLUGIN_FAILED).stdout().strip();
    long created = System.nanoTime();
    RUNNER.run(Command.of("docker", "-H", host, "rm", "-f", id)).orThrow(ErrorCode.PLUGIN_FAILED);
    long removed = System.nanoTime();
    return new double[] {(created - start) / 1e6, (removed - created) / 1e6};
  }

  private static void report(String what, double[] docker, double[] cni) {
    System.out.printf("%s: docker-bridge median %.0f ms (p90 %.0f), cni median %.0f ms (p90 %.0f): ratio %.2fx%n",
        what, percentile(docker, 50), percentile(docker, 90), percentile(cni, 50), percentile(cni, 90),
        percentile(docker, 50) / percentile(cni, 50));
  }

  private static double percentile(double[] values, int p) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[Math.min(sorted.length - 1, sorted.length * p / 100)];
  }
}
