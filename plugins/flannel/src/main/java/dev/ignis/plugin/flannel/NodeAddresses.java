package dev.ignis.plugin.flannel;

import dev.ignis.spi.Command;
import dev.ignis.spi.CommandRunner;
import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The node's own IPv4 addresses, from {@code ip -4 -o addr show scope global}. */
final class NodeAddresses {

  /** One address: interface, address and its network. */
  record Address(String iface, String ip, Ipv4Net net) {}

  private static final Pattern LINE = Pattern.compile("^\\d+:\\s+(\\S+)\\s+inet\\s+([0-9.]+)/(\\d+)");

  private final List<Address> addresses = new ArrayList<>();

  NodeAddresses(CommandRunner commands) {
    String out = commands.run(Command.of("ip", "-4", "-o", "addr", "show", "scope", "global"))
        .orThrow(ErrorCode.IO_FAILURE).stdout();
    for (String line : out.lines().toList()) {
      Matcher m = LINE.matcher(line);
      if (m.find()) {
        String iface = m.group(1).replaceFirst("@.*", "");
        addresses.add(new Address(iface, m.group(2), Ipv4Net.parse(m.group(2) + "/" + m.group(3))));
      }
    }
  }

  /** The address to use as the node's public IP: the one given, else the only or first one. */
  Address publicAddress(String wanted) {
    if (wanted != null) {
      Ipv4Net.address(wanted);
      return addresses.stream().filter(a -> a.ip().equals(wanted)).findFirst()
          .orElseThrow(() -> new IgnisException(ErrorCode.INVALID_ARGUMENT, "--public-ip " + wanted
              + " is not an address of this node (" + list() + ")"));
    }
    return addresses.stream().filter(a -> !a.iface().startsWith("flannel") && !a.iface().startsWith("docker"))
        .findFirst().orElseThrow(() -> new IgnisException(ErrorCode.INVALID_ENVIRONMENT,
            "this node has no global IPv4 address to reach other nodes with; configure one or pass --public-ip"));
  }

  /** Fails if the flannel network overlaps one of the node's own networks (not flannel's own devices). */
  void checkNoOverlap(Ipv4Net network, String bridge) {
    for (Address address : addresses) {
      if (address.iface().startsWith("flannel") || address.iface().equals(bridge)) {
        continue;
      }
      if (address.net().overlaps(network)) {
        throw new IgnisException(ErrorCode.INVALID_ARGUMENT, "network " + network + " overlaps this node's address "
            + address.ip() + "/" + address.net().prefix() + " on " + address.iface() + "; pick another --network");
      }
    }
  }

  private String list() {
    return addresses.isEmpty() ? "it has none" : "it has " + String.join(", ",
        addresses.stream().map(a -> a.ip() + " on " + a.iface()).toList());
  }
}
