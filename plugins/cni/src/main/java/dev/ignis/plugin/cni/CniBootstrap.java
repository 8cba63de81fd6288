package dev.ignis.plugin.cni;

import dev.ignis.spi.BootstrapResult;
import dev.ignis.spi.Command;
import dev.ignis.spi.CommandResult;
import dev.ignis.spi.CommandRunner;
import dev.ignis.spi.Finding;
import dev.ignis.spi.IgnisException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code runtime --network-plugin cni bootstrap}: checks the conf dir, bin path, the binaries
 * the network needs (and that they speak its version) and iptables, and installs the default
 * network into an empty conf dir. Every check is reported, passed or not.
 */
final class CniBootstrap {

  private final CniSettings settings;
  private final NetworkConfigs configs;
  private final CniRuntime runtime;
  private final CommandRunner commands;
  private final List<Finding> findings = new ArrayList<>();

  CniBootstrap(CniSettings settings, NetworkConfigs configs, CniRuntime runtime, CommandRunner commands) {
    this.settings = settings;
    this.configs = configs;
    this.runtime = runtime;
    this.commands = commands;
  }

  BootstrapResult run() {
    checkConfDir();
    for (Path dir : settings.binPath()) {
      findings.add(Files.isDirectory(dir) ? Finding.ok("bin dir " + dir, "present")
          : Finding.ok("bin dir " + dir, "absent (skipped in the search)"));
    }
    NetworkConfigList list = network();
    if (list != null) {
      checkBinaries(list);
    }
    checkIptables();
    return new BootstrapResult(findings);
  }

  private void checkConfDir() {
    try {
      boolean installed = configs.installDefaultIfEmpty();
      findings.add(Finding.ok("conf dir " + settings.confDir(), installed
          ? "was empty: installed the default network " + DefaultNetwork.FILE_NAME + " (bridge " + DefaultNetwork.BRIDGE
              + ", " + DefaultNetwork.SUBNET + ")"
          : configs.files().size() + " network config file(s)"));
    } catch (IgnisException e) {
      findings.add(Finding.problem("conf dir " + settings.confDir(), e.getMessage()));
    }
  }

  private NetworkConfigList network() {
    try {
      NetworkConfigList list = runtime.negotiated(configs.load(settings.network()));
      findings.add(Finding.ok("network", "'" + list.name() + "' (cniVersion " + list.cniVersion()
          + (list.cniVersions().isEmpty() ? "" : ", chosen from cniVersions " + list.cniVersions()) + ") from "
          + list.origin()));
      return list;
    } catch (IgnisException e) {
      findings.add(Finding.problem("network", e.getMessage()));
      return null;
    }
  }

  private void checkBinaries(NetworkConfigList list) {
    for (String type : list.binaries()) {
      try {
        Path binary = runtime.invoker().find(type, list.name());
        List<String> versions = runtime.versions(type, list.name());
        findings.add(versions.contains(list.cniVersion())
            ? Finding.ok("plugin " + type, binary + " (speaks " + list.cniVersion() + ")")
            : Finding.problem("plugin " + type, binary + " does not speak cniVersion " + list.cniVersion()
                + " (it speaks " + String.join(", ", versions) + "); upgrade it or lower the network's cniVersion"));
      } catch (IgnisException e) {
        findings.add(Finding.problem("plugin " + type, e.getMessage()));
      }
    }
    try {
      runtime.status(list);
    } catch (IgnisException e) {
      findings.add(Finding.problem("network status", e.getMessage()));
    }
  }

  private void checkIptables() {
    try {
      CommandResult result = commands.run(Command.of("iptables", "--version"));
      findings.add(result.succeeded() ? Finding.ok("iptables", result.stdout().strip())
          : Finding.problem("iptables", "'iptables --version' failed: " + result.stderr().strip()));
    } catch (IgnisException e) {
      findings.add(Finding.problem("iptables", "not found; install the iptables package (portmap, firewall and"
          + " ipMasq need it)"));
    }
  }
}
