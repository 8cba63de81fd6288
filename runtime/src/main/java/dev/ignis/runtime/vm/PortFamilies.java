package dev.ignis.runtime.vm;

import dev.ignis.spi.Attachment;
import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import dev.ignis.spi.IpConfig;
import dev.ignis.spi.PortMapping;
import java.util.List;

/**
 * A port published on a given host address reaches the VM only over that address's family:
 * {@code [::1]:8080:80} needs an IPv6 address on the VM, {@code 127.0.0.1:8080:80} an IPv4 one.
 * Without it the mapping would be accepted, listed, and refuse every connection. Checked
 * against the addresses a VM's network gave its guest; a port on every address ({@code
 * 8080:80}) takes whichever families the VM has.
 */
final class PortFamilies {

  private PortFamilies() {}

  /** Throws, naming the port and the fix, unless the VM's guest has an address of each bound host address's family. */
  static void check(String vmName, Attachment attachment, List<PortMapping> ports) {
    List<IpConfig> ips = attachment.guestNic().map(nic -> nic.ips()).orElse(attachment.ips());
    for (PortMapping port : ports) {
      if (PortMapping.ANY_HOST_IP.equals(port.hostIp())) {
        continue;
      }
      boolean v6 = port.hostIp().contains(":");
      if (ips.stream().noneMatch(ip -> ip.isIpv6() == v6)) {
        String has = ips.isEmpty() ? "no address" : "only " + (v6 ? "IPv4" : "IPv6") + " addresses ("
            + String.join(", ", ips.stream().map(IpConfig::address).toList()) + ")";
        throw new IgnisException(ErrorCode.INVALID_ARGUMENT, "port " + port + ": host address " + port.hostIp()
            + " is " + (v6 ? "IPv6" : "IPv4") + ", but VM '" + vmName + "' has " + has + " on its network; publish on an "
            + (v6 ? "IPv4" : "IPv6") + " address (e.g. " + port.withHostIp(v6 ? "127.0.0.1" : "::") + ") or on all"
            + " addresses (" + port.withHostIp(PortMapping.ANY_HOST_IP) + ")");
      }
    }
  }
}
