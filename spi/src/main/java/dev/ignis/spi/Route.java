package dev.ignis.spi;

/**
 * A route a plugin wants in the sandbox (and so in the guest); IPv4 or IPv6. Immutable.
 *
 * <p>Make one with {@link #of}; the canonical constructor is there for serialization and may gain
 * components in a minor SPI version.
 *
 * @param destination the destination in CIDR form, {@code 0.0.0.0/0}
 * @param gateway the next hop, or empty for a directly connected route
 */
public record Route(String destination, String gateway) {

  /** Validates the destination (CIDR) and the gateway (an IP, or empty). */
  public Route {
    Values.nonBlank(destination, "route destination");
    if (!destination.contains("/") || !Values.isIpOrCidr(destination)) {
      throw Values.invalid("route destination '" + destination + "' is not in CIDR form, e.g. 0.0.0.0/0 or ::/0");
    }
    gateway = gateway == null || gateway.isBlank() ? "" : Values.ipLiteral(gateway, "route gateway");
  }

  /** A route to the destination (CIDR) through the gateway (empty for a directly connected one). */
  public static Route of(String destination, String gateway) {
    return new Route(destination, gateway);
  }

  /** The default route of the gateway's family ({@code 0.0.0.0/0} or {@code ::/0}) through it. */
  public static Route defaultVia(String gateway) {
    return new Route(Values.ipLiteral(gateway, "gateway").contains(":") ? "::/0" : "0.0.0.0/0", gateway);
  }

  /** True for a default route of either family. */
  public boolean isDefault() {
    return destination.equals("0.0.0.0/0") || destination.equals("::/0");
  }
}
