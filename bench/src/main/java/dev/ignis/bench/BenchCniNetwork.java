package dev.ignis.bench;

import dev.ignis.plugin.cni.CniPlugin;
import dev.ignis.runtime.exec.ProcessCommandRunner;
import dev.ignis.spi.Command;
import dev.ignis.spi.CommandRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Map;

/**
 * A CNI network of a benchmark's own, shaped like the default network (bridge with ipMasq,
 * portmap, firewall) on a unique name, bridge and /16, with its own conf, cache and IPAM dirs.
 */
final class BenchCniNetwork {

  private static final SecureRandom RANDOM = new SecureRandom();

  private final Path work;
  private final String bridge;

  BenchCniNetwork(Path work) throws IOException {
    this.work = work;
    String suffix = Integer.toHexString(0x100000 + RANDOM.nextInt(0xeffff));
    this.bridge = "igb" + suffix;
    String subnet = "10." + (150 + RANDOM.nextInt(90)) + ".0.0/16";
    Files.createDirectories(work.resolve("net.d"));
    Files.writeString(work.resolve("net.d/10-bench.conflist"), """
        {"cniVersion":"0.4.0","name":"ignis-bench-%s","plugins":[
          {"type":"bridge","bridge":"%s","isGateway":true,"isDefaultGateway":true,"promiscMode":true,"ipMasq":true,
           "ipam":{"type":"host-local","subnet":"%s","dataDir":"%s"}},
          {"type":"portmap","capabilities":{"portMappings":true}},
          {"type":"firewall"}]}
        """.formatted(suffix, bridge, subnet, work.resolve("ipam")));
  }

  /** The network's configuration file. */
  Path conflist() {
    return work.resolve("net.d/10-bench.conflist");
  }

  /** The libcni-compatible cache root the plugin uses. */
  Path cacheDir() {
    return work.resolve("cache");
  }

  /** The cni plugin, initialised on this network. */
  CniPlugin plugin(CommandRunner commands) {
    CniPlugin plugin = new CniPlugin();
    plugin.init(new BenchContext(work.resolve("state"), Map.of("conf-dir", work.resolve("net.d").toString(),
        "cache-dir", cacheDir().toString()), commands));
    return plugin;
  }

  /** Removes the bridge, the work dir and CNI's shared chains if unused. */
  void cleanUp() {
    ProcessCommandRunner runner = new ProcessCommandRunner();
    runner.run(Command.of("ip", "link", "delete", bridge));
    runner.run(Command.of("rm", "-rf", work.toString()));
    runner.run(Command.of("scripts/remove-unused-cni-chains"));
  }
}
