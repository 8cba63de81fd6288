package org.example.vethports;

import dev.ignis.spi.Command;
import dev.ignis.spi.CommandResult;
import dev.ignis.spi.CommandRunner;
import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.PortMapping;
import java.util.ArrayList;
import java.util.List;

/**
 * A VM network's host ports as DNAT rules in the nat table's PREROUTING (traffic from outside)
 * and OUTPUT (from this host), each commented "veth-ports POOL-TAG VM-ID IFNAME" so that they are
 * found again, and only ours are ever removed. Every change is one {@code iptables-restore
 * --noflush}: all of it or nothing.
 */
final class DnatRules {

  private final CommandRunner commands;
  private final String tag;

  DnatRules(CommandRunner commands, String tag) {
    this.commands = commands;
    this.tag = tag;
  }

  /** Makes the network's rules forward exactly these ports to the guest. */
  void set(VethPool.Lease lease, List<PortMapping> ports) {
    List<String> lines = new ArrayList<>(deletions(lease));
    for (PortMapping port : ports) {
      String destination = PortMapping.ANY_HOST_IP.equals(port.hostIp()) ? "-m addrtype --dst-type LOCAL"
          : "-d " + port.hostIp() + "/32";
      for (String chain : List.of("PREROUTING", "OUTPUT")) {
        lines.add("-A " + chain + " " + destination + " -p " + port.protocol().label() + " -m " + port.protocol().label()
            + " --dport " + port.hostPort() + " -m comment --comment \"" + comment(lease) + "\" -j DNAT --to-destination "
            + lease.guest() + ":" + port.vmPort());
      }
    }
    apply(lines);
  }

  /** Removes the network's rules; none is fine. */
  void remove(VethPool.Lease lease) {
    apply(deletions(lease));
  }

  private List<String> deletions(VethPool.Lease lease) {
    CommandResult saved = commands.run(Command.of("iptables-save", "-t", "nat")).orThrow(ErrorCode.IO_FAILURE);
    String ours = "--comment \"" + comment(lease) + "\"";
    return saved.stdout().lines().filter(l -> l.startsWith("-A ") && l.contains(ours)).map(l -> "-D " + l.substring(3))
        .toList();
  }

  private void apply(List<String> lines) {
    if (lines.isEmpty()) {
      return;
    }
    String input = "*nat\n" + String.join("\n", lines) + "\nCOMMIT\n";
    commands.run(Command.of("iptables-restore", "--noflush").withStdin(input)).orThrow(ErrorCode.IO_FAILURE);
  }

  private String comment(VethPool.Lease lease) {
    return "veth-ports " + tag + " " + lease.vmId() + " " + lease.ifName();
  }
}
