package dev.ignis.bench;

import dev.ignis.plugin.cni.CniPlugin;
import dev.ignis.runtime.exec.ProcessCommandRunner;
import dev.ignis.spi.AttachRequest;
import dev.ignis.spi.Attachment;
import dev.ignis.spi.Command;
import dev.ignis.spi.DetachReason;
import dev.ignis.spi.PortMapping;
import dev.ignis.spi.VmRef;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The cni plugin's costs, in process, against real CNI plugins on a network of its own
 * (unique name, bridge and /16, own conf, cache and IPAM dirs), as root:
 * <ol>
 *   <li>ADD and DEL of the default network's chain: our wall time against the summed wall
 *       time of the plugin processes (the floor);
 *   <li>50 sandboxes attached concurrently against one after another;
 *   <li>ADD latency with 1, 100 and 500 VMs already attached.
 * </ol>
 * Everything it makes is removed at the end, also on failure.
 */
public final class CniBench {

  private static final SecureRandom RANDOM = new SecureRandom();

  private final BenchCniNetwork network;
  private final TimedCommands commands = new TimedCommands(new ProcessCommandRunner());
  private final CniPlugin plugin;
  private final List<String> namespaces = new ArrayList<>();

  private CniBench(Path work) throws Exception {
    this.network = new BenchCniNetwork(work);
    this.plugin = network.plugin(commands);
  }

  public static void main(String[] args) throws Exception {
    int maxAttached = args.length > 0 ? Integer.parseInt(args[0]) : 500;
    Path work = Files.createTempDirectory("ignis-cni-bench-");
    CniBench bench = new CniBench(work);
    try {
      bench.addDelOverhead(30);
      bench.concurrency(50);
      bench.scaling(maxAttached);
    } finally {
      bench.cleanUp();
    }
  }

  private Attachment attach(String netns, List<PortMapping> ports) {
    String id = HexFormat.of().formatHex(RANDOM.generateSeed(8));
    return plugin.attach(AttachRequest.builder(VmRef.of(id, "bench")).netnsPath("/run/netns/" + netns)
        .ports(ports).build());
  }

  private String netns() {
    String name = "ignis-bench-" + HexFormat.of().formatHex(RANDOM.generateSeed(6));
    new ProcessCommandRunner().run(Command.of("ip", "netns", "add", name)).orThrow(dev.ignis.spi.ErrorCode.IO_FAILURE);
    namespaces.add(name);
    return name;
  }

  private void addDelOverhead(int rounds) {
    String netns = netns();
    for (int i = 0; i < 10; i++) {
      attachDetach(netns); // warm-up: first bridge creation, class loading, JIT
    }
    double[] addOverhead = new double[rounds];
    double[] delOverhead = new double[rounds];
    long addTotal = 0;
    long addFloor = 0;
    for (int i = 0; i < rounds; i++) {
      commands.takeNanos();
      long start = System.nanoTime();
      Attachment attachment = attach(netns, List.of(PortMapping.tcp(30000 + i, 80)));
      long add = System.nanoTime() - start;
      long addPlugins = commands.takeNanos();
      start = System.nanoTime();
      plugin.detach(attachment, DetachReason.REMOVE);
      long del = System.nanoTime() - start;
      long delPlugins = commands.takeNanos();
      addOverhead[i] = (double) (add - addPlugins) / addPlugins;
      delOverhead[i] = (double) (del - delPlugins) / delPlugins;
      addTotal += add;
      addFloor += addPlugins;
    }
    System.out.printf("ADD: median %.1f ms, plugins alone %.1f ms; our overhead median %.2f%% of the plugins' time%n",
        addTotal / 1e6 / rounds, addFloor / 1e6 / rounds, 100 * median(addOverhead));
    System.out.printf("DEL: our overhead median %.2f%% of the plugins' time%n", 100 * median(delOverhead));
  }

  private void attachDetach(String netns) {
    plugin.detach(attach(netns, List.of()), DetachReason.REMOVE);
  }

  private void concurrency(int count) throws Exception {
    List<String> sandboxes = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      sandboxes.add(netns());
    }
    long start = System.nanoTime();
    List<Attachment> sequential = new ArrayList<>();
    for (String netns : sandboxes) {
      sequential.add(attach(netns, List.of()));
    }
    double sequentialSeconds = (System.nanoTime() - start) / 1e9;
    sequential.forEach(a -> plugin.detach(a, DetachReason.REMOVE));

    ExecutorService pool = Executors.newFixedThreadPool(count);
    start = System.nanoTime();
    List<Future<Attachment>> futures = new ArrayList<>();
    sandboxes.forEach(netns -> futures.add(pool.submit(() -> attach(netns, List.of()))));
    int failures = 0;
    List<Attachment> concurrent = new ArrayList<>();
    for (Future<Attachment> future : futures) {
      try {
        concurrent.add(future.get());
      } catch (Exception e) {
        failures++;
        System.err.println("concurrent attach failed: " + e.getCause());
      }
    }
    double concurrentSeconds = (System.nanoTime() - start) / 1e9;
    pool.shutdown();
    concurrent.forEach(a -> plugin.detach(a, DetachReason.REMOVE));
    System.out.printf("%d sandboxes: one after another %.2f s, concurrently %.2f s: speed-up %.2fx, %d failures%n",
        count, sequentialSeconds, concurrentSeconds, sequentialSeconds / concurrentSeconds, failures);
  }

  private void scaling(int max) {
    List<Attachment> attached = new ArrayList<>();
    for (int target : new int[] {1, 100, 500}) {
      if (target > max) {
        break;
      }
      while (attached.size() < target) {
        attached.add(attach(netns(), List.of()));
      }
      String probe = netns();
      double[] samples = new double[5];
      for (int i = 0; i < samples.length; i++) {
        long start = System.nanoTime();
        Attachment attachment = attach(probe, List.of());
        samples[i] = (System.nanoTime() - start) / 1e6;
        plugin.detach(attachment, DetachReason.REMOVE);
      }
      System.out.printf("ADD with %d VMs attached: median %.1f ms%n", target, median(samples));
    }
    attached.forEach(a -> plugin.detach(a, DetachReason.REMOVE));
  }

  private void cleanUp() {
    ProcessCommandRunner runner = new ProcessCommandRunner();
    namespaces.forEach(n -> runner.run(Command.of("ip", "netns", "delete", n)));
    network.cleanUp();
  }

  /** The median of the samples. */
  static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }
}
