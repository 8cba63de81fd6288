package dev.ignis.spi;

import java.util.List;

/**
 * A network interface a plugin set up, as a CNI result lists it, with its addresses.
 *
 * @param name the interface name, {@code eth0}
 * @param mac the MAC address, lower-case colon form, or empty when unknown
 * @param sandbox the netns path the interface lives in, or empty for a host interface
 * @param ips the interface's addresses
 */
public record NetInterface(String name, String mac, String sandbox, List<IpConfig> ips) {

  /** Validates the name and copies the lists. */
  public NetInterface {
    Values.nonBlank(name, "interface name");
    mac = mac == null ? "" : mac.toLowerCase(java.util.Locale.ROOT);
    sandbox = sandbox == null ? "" : sandbox;
    ips = ips == null ? List.of() : List.copyOf(ips);
  }
}
