package dev.ignis.bench;

import dev.ignis.plugin.cni.CniPlugin;
import dev.ignis.runtime.exec.ProcessCommandRunner;
import dev.ignis.spi.AttachRequest;
import dev.ignis.spi.Attachment;
import dev.ignis.spi.Command;
import dev.ignis.spi.CommandResult;
import dev.ignis.spi.DetachReason;
import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.VmRef;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * ADD and DEL of the default network's chain (bridge with ipMasq, portmap, firewall), each in
 * a fresh netns: libcni itself (the peer built from Debian's libcni source, one process per
 * operation, as containerd's CRI calls it in its own process) against Ignis' cni plugin inside
 * one JVM, interleaved round by round on the same network. As root. Usage: {@code
 * CniPeerBench PEER [ROUNDS (default 20)]}. Everything it makes is removed at the end.
 */
public final class CniPeerBench {

  private static final SecureRandom RANDOM = new SecureRandom();

  private final Path peer;
  private final BenchCniNetwork network;
  private final CniPlugin plugin;
  private final ProcessCommandRunner runner = new ProcessCommandRunner();
  private final List<String> namespaces = new ArrayList<>();

  private CniPeerBench(Path peer, Path work) throws Exception {
    this.peer = peer;
    this.network = new BenchCniNetwork(work);
    this.plugin = network.plugin(runner);
  }

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
    CniPeerBench bench = new CniPeerBench(Path.of(args[0]), Files.createTempDirectory("ignis-cni-peer-bench-"));
    try {
      bench.run(rounds);
    } finally {
      bench.cleanUp();
    }
  }

  private void run(int rounds) {
    for (int i = 0; i < 5; i++) { // warm-up: the bridge's creation, class loading, JIT
      peerDel(peerAdd(netns()));
      plugin.detach(attach(netns()), DetachReason.REMOVE);
    }
    double[][] samples = new double[4][rounds];
    for (int i = 0; i < rounds; i++) {
      String forPeer = netns();
      String forIgnis = netns();
      boolean peerFirst = i % 2 == 0;
      long[] peerTimes = new long[2];
      long[] ignisTimes = new long[2];
      if (peerFirst) {
        peerTimes[0] = time(() -> peerAdd(forPeer));
        ignisTimes[0] = timeAttach(forIgnis);
      } else {
        ignisTimes[0] = timeAttach(forIgnis);
        peerTimes[0] = time(() -> peerAdd(forPeer));
      }
      peerTimes[1] = time(() -> peerDel(forPeer));
      ignisTimes[1] = time(() -> plugin.detach(last, DetachReason.REMOVE));
      samples[0][i] = peerTimes[0] / 1e6;
      samples[1][i] = ignisTimes[0] / 1e6;
      samples[2][i] = peerTimes[1] / 1e6;
      samples[3][i] = ignisTimes[1] / 1e6;
    }
    System.out.printf("ADD: libcni peer median %.1f ms, Ignis in one JVM %.1f ms: ratio %.2fx%n",
        CniBench.median(samples[0]), CniBench.median(samples[1]), CniBench.median(samples[1]) / CniBench.median(samples[0]));
    System.out.printf("DEL: libcni peer median %.1f ms, Ignis in one JVM %.1f ms: ratio %.2fx%n",
        CniBench.median(samples[2]), CniBench.median(samples[3]), CniBench.median(samples[3]) / CniBench.median(samples[2]));
    System.out.printf("PEER-MEDIANS-MS %.1f %.1f%n", CniBench.median(samples[0]), CniBench.median(samples[2]));
  }

  private Attachment last;

  private long timeAttach(String netns) {
    return time(() -> last = attach(netns));
  }

  private Attachment attach(String netns) {
    String id = HexFormat.of().formatHex(RANDOM.generateSeed(8));
    return plugin.attach(AttachRequest.builder(VmRef.of(id, "bench")).netnsPath("/run/netns/" + netns).build());
  }

  private String peerAdd(String netns) {
    peer("add", netns);
    return netns;
  }

  private void peerDel(String netns) {
    peer("del", netns);
  }

  private void peer(String op, String netns) {
    CommandResult result = runner.run(Command.of(peer.toString(), op, network.conflist().toString(), netns,
            "/run/netns/" + netns, "eth0")
        .withEnv("CNI_PATH", "/opt/cni/bin:/usr/lib/cni")
        .withEnv("CNI_CACHE_DIR", network.cacheDir().toString())
        .withTimeout(Duration.ofSeconds(60)));
    result.orThrow(ErrorCode.PLUGIN_FAILED);
  }

  private String netns() {
    String name = "ignis-bench-" + HexFormat.of().formatHex(RANDOM.generateSeed(6));
    runner.run(Command.of("ip", "netns", "add", name)).orThrow(ErrorCode.IO_FAILURE);
    namespaces.add(name);
    return name;
  }

  private static long time(Runnable step) {
    long start = System.nanoTime();
    step.run();
    return System.nanoTime() - start;
  }

  private void cleanUp() {
    namespaces.forEach(n -> runner.run(Command.of("ip", "netns", "delete", n)));
    network.cleanUp();
  }
}
