package dev.ignis.runtime.vm;

import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import dev.ignis.spi.IpConfig;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Optional;

/**
 * Whether a VM's static IPs are free among this runtime's VMs: not another VM's static IP,
 * nor an address another VM holds now. Checked before any plugin runs, so the message names
 * the VM (a plugin only sees an address taken by some container). Addresses a plugin's own
 * network hands out to others are the plugin's to check.
 */
final class StaticIps {

  private StaticIps() {}

  /** Throws {@link ErrorCode#ALREADY_EXISTS} naming the VM that holds one of {@code vm}'s static IPs. */
  static void checkFree(Vm vm, List<Vm> all) {
    for (String wanted : staticIpsOf(vm)) {
      InetAddress address = address(wanted);
      for (Vm other : all) {
        if (other.id().equals(vm.id())) {
          continue;
        }
        if (staticIpsOf(other).stream().anyMatch(ip -> address(ip).equals(address))) {
          throw held(wanted, other, "its static IP");
        }
        if (other.ips().stream().anyMatch(ip -> address(ip.ip()).equals(address))) {
          throw held(wanted, other, "its address while " + other.status().label());
        }
      }
    }
  }

  private static List<String> staticIpsOf(Vm vm) {
    return vm.spec().networks().stream().flatMap(n -> n.staticIps().stream()).toList();
  }

  private static IgnisException held(String ip, Vm other, String how) {
    return new IgnisException(ErrorCode.ALREADY_EXISTS, "--ip " + ip + " is held by VM '" + other.name() + "' ("
        + how + "); pick another address or remove " + other.name());
  }

  /** The address of an IP or CIDR literal; equal addresses in other spellings (IPv6) compare equal. */
  private static InetAddress address(String ipOrCidr) {
    String ip = ipOrCidr.contains("/") ? ipOrCidr.substring(0, ipOrCidr.indexOf('/')) : ipOrCidr;
    Optional<String> literal = Optional.of(ip).filter(IpConfig::isIpLiteral);
    try {
      return InetAddress.getByName(literal.orElseThrow(() -> new IgnisException(ErrorCode.INVALID_ARGUMENT,
          "'" + ipOrCidr + "' is not an IP address")));
    } catch (UnknownHostException e) {
      throw new IgnisException(ErrorCode.INVALID_ARGUMENT, "'" + ipOrCidr + "' is not an IP address", e);
    }
  }
}
