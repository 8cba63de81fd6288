package dev.ignis.spi;

/**
 * A route a plugin wants in the sandbox (and so in the guest).
 *
 * @param destination the destination in CIDR form, {@code 0.0.0.0/0}
 * @param gateway the next hop, or empty for a directly connected route
 */
public record Route(String destination, String gateway) {

  /** Validates the destination. */
  public Route {
    Values.nonBlank(destination, "route destination");
    gateway = gateway == null ? "" : gateway;
  }
}
