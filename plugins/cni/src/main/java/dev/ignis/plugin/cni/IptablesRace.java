package dev.ignis.plugin.cni;

import dev.ignis.spi.IgnisException;
import java.util.List;
import java.util.Objects;

/**
 * Failures of a plugin's ADD that say it lost a race with another process over iptables, not
 * that anything is wrong: the reference plugins (portmap, firewall, bridge's ipMasq) create
 * their shared chains (CNI-HOSTPORT-MASQ, CNI-FORWARD...) by asking whether the chain exists
 * and then creating it, so two ADDs at once (ours, or containerd's and podman's) can both try
 * to create it; on the nf_tables backend the loser fails with "CHAIN_USER_ADD failed (File
 * exists)". Such an ADD, once undone, succeeds when run again.
 */
final class IptablesRace {

  /** How many times an ADD is run in all when it keeps losing such races. */
  static final int ATTEMPTS = 3;

  private static final List<String> SIGNS = List.of(
      "CHAIN_USER_ADD failed (File exists)", // iptables-nft: the chain appeared meanwhile
      "Chain already exists", // iptables-legacy: the same
      "holding the xtables lock"); // iptables-legacy: another process kept the lock past --wait

  private IptablesRace() {
  }

  /** True if the failure, or the details the plugin gave with it, shows such a race. */
  static boolean lost(IgnisException failure) {
    String text = failure.getMessage() + "\n" + Objects.toString(failure.details(), "");
    return SIGNS.stream().anyMatch(text::contains);
  }
}
