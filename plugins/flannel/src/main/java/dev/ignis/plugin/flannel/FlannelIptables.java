package dev.ignis.plugin.flannel;

import dev.ignis.spi.Command;
import dev.ignis.spi.CommandRunner;
import dev.ignis.spi.ErrorCode;
import java.util.List;

/**
 * flanneld's iptables rules, in chains of Ignis' own so cleanup can remove exactly them: in
 * nat, traffic inside the flannel network keeps its addresses and VMs' traffic to anywhere
 * else is masqueraded behind the node; in filter, forwarding to and from the network is
 * accepted even where the FORWARD policy is DROP (as dockerd sets it).
 */
final class FlannelIptables {

  static final String NAT_CHAIN = "IGNIS-FLANNEL";
  static final String FORWARD_CHAIN = "IGNIS-FLANNEL-FWD";
  private static final String COMMENT = "ignis flannel";

  private final CommandRunner commands;

  FlannelIptables(CommandRunner commands) {
    this.commands = commands;
  }

  /** Makes the chains hold exactly the rules for this network. Idempotent. */
  void apply(String network) {
    chain("nat", NAT_CHAIN, "POSTROUTING");
    run("iptables", "-t", "nat", "-A", NAT_CHAIN, "-s", network, "-d", network, "-j", "RETURN");
    run("iptables", "-t", "nat", "-A", NAT_CHAIN, "-s", network, "!", "-d", "224.0.0.0/4", "-j", "MASQUERADE");
    applyForwarding(network);
  }

  /** Only the forward chain: where flanneld (or the bridge) masquerades. Idempotent. */
  void applyForwarding(String network) {
    chain("filter", FORWARD_CHAIN, "FORWARD");
    run("iptables", "-A", FORWARD_CHAIN, "-s", network, "-j", "ACCEPT");
    run("iptables", "-A", FORWARD_CHAIN, "-d", network, "-j", "ACCEPT");
  }

  /** Removes the jumps and the chains. Idempotent. */
  void remove() {
    for (String[] table : new String[][] {{"nat", NAT_CHAIN, "POSTROUTING"}, {"filter", FORWARD_CHAIN, "FORWARD"}}) {
      while (commands.run(Command.of("iptables", "-t", table[0], "-D", table[2], "-m", "comment", "--comment", COMMENT,
          "-j", table[1])).succeeded()) {
        // a jump may have been added twice by an interrupted apply
      }
      commands.run(Command.of("iptables", "-t", table[0], "-F", table[1]));
      commands.run(Command.of("iptables", "-t", table[0], "-X", table[1]));
    }
  }

  /**
   * Removes the shared chains the CNI portmap and firewall plugins create on first use and
   * never remove, once nothing but their own jumps is left in them (no VM of any CNI network
   * uses them), so that a node that used them only for flannel is as before init.
   */
  void removeUnusedCniChains() {
    String nat = commands.run(Command.of("iptables-save", "-t", "nat")).stdout();
    if (nat.lines().noneMatch(l -> l.startsWith("-A CNI-HOSTPORT-DNAT") || l.startsWith("-A CNI-DN-"))) {
      commands.run(Command.of("iptables", "-t", "nat", "-D", "PREROUTING", "-m", "addrtype", "--dst-type", "LOCAL", "-j",
          "CNI-HOSTPORT-DNAT"));
      commands.run(Command.of("iptables", "-t", "nat", "-D", "OUTPUT", "-m", "addrtype", "--dst-type", "LOCAL", "-j",
          "CNI-HOSTPORT-DNAT"));
      commands.run(Command.of("iptables", "-t", "nat", "-D", "POSTROUTING", "-m", "comment", "--comment",
          "CNI portfwd requiring masquerade", "-j", "CNI-HOSTPORT-MASQ"));
      for (String chain : List.of("CNI-HOSTPORT-DNAT", "CNI-HOSTPORT-MASQ", "CNI-HOSTPORT-SETMARK")) {
        dropChain("nat", chain);
      }
    }
    String filter = commands.run(Command.of("iptables-save", "-t", "filter")).stdout();
    if (filter.lines().filter(l -> l.startsWith("-A CNI-FORWARD") || l.startsWith("-A CNI-ADMIN")).count() <= 1) {
      commands.run(Command.of("iptables", "-D", "FORWARD", "-m", "comment", "--comment", "CNI firewall plugin rules",
          "-j", "CNI-FORWARD"));
      dropChain("filter", "CNI-FORWARD");
      dropChain("filter", "CNI-ADMIN");
    }
  }

  private void dropChain(String table, String chain) {
    if (commands.run(Command.of("iptables", "-t", table, "-F", chain)).succeeded()) {
      commands.run(Command.of("iptables", "-t", table, "-X", chain));
    }
  }

  /** Creates (or empties) the chain and makes sure one jump to it exists. */
  private void chain(String table, String chain, String from) {
    if (!commands.run(Command.of("iptables", "-t", table, "-N", chain)).succeeded()) {
      run("iptables", "-t", table, "-F", chain);
    }
    List<String> jump = List.of("-m", "comment", "--comment", COMMENT, "-j", chain);
    List<String> check = new java.util.ArrayList<>(List.of("iptables", "-t", table, "-C", from));
    check.addAll(jump);
    if (!commands.run(Command.of(check)).succeeded()) {
      List<String> insert = new java.util.ArrayList<>(List.of("iptables", "-t", table, "-I", from, "1"));
      insert.addAll(jump);
      commands.run(Command.of(insert)).orThrow(ErrorCode.IO_FAILURE);
    }
  }

  private void run(String... argv) {
    commands.run(Command.of(argv)).orThrow(ErrorCode.IO_FAILURE);
  }
}
