package dev.ignis.spi;

import java.util.List;

/**
 * A network interface a plugin set up, as a CNI result lists it, with its addresses. Immutable.
 *
 * <p>Make one with {@link #of}; the canonical constructor is there for serialization and may gain
 * components in a minor SPI version.
 *
 * @param name the interface name, {@code eth0}
 * @param mac the MAC address, lower-case colon form, or empty when unknown
 * @param sandbox the netns path the interface lives in, or empty for a host interface
 * @param ips the interface's addresses
 */
public record NetInterface(String name, String mac, String sandbox, List<IpConfig> ips) {

  /**
   * An interface: its name, MAC (lower-case colon form, or empty when unknown), the netns path it
   * lives in (empty for a host interface) and its addresses.
   */
  public static NetInterface of(String name, String mac, String sandbox, List<IpConfig> ips) {
    return new NetInterface(name, mac, sandbox, ips);
  }

  /** Validates the name and copies the lists. */
  public NetInterface {
    Values.interfaceName(name);
    mac = mac == null ? "" : mac.toLowerCase(java.util.Locale.ROOT);
    sandbox = sandbox == null ? "" : sandbox;
    ips = ips == null ? List.of() : List.copyOf(ips);
  }
}
