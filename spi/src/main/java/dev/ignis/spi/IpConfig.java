package dev.ignis.spi;

import java.util.Optional;

/**
 * One IP address of an interface, in CIDR form, with its gateway; IPv4 or IPv6. Immutable.
 *
 * <p>Make one with {@link #of}; the canonical constructor is there for serialization and may gain
 * components in a minor SPI version.
 *
 * @param address the address with prefix length, {@code 10.61.0.5/16}
 * @param gateway the gateway address, or empty when there is none
 */
public record IpConfig(String address, String gateway) {

  /** Validates the CIDR and the gateway; a null or blank gateway means none. */
  public IpConfig {
    Values.nonBlank(address, "IP address");
    int slash = address.indexOf('/');
    if (slash < 0 || !address.substring(slash + 1).matches("\\d{1,3}")) {
      throw Values.invalid("IP address '" + address + "' needs a prefix length, e.g. 10.61.0.5/16");
    }
    String ip = Values.ipLiteral(address.substring(0, slash), "IP address");
    int prefix = Integer.parseInt(address.substring(slash + 1));
    if (prefix > (ip.contains(":") ? 128 : 32)) {
      throw Values.invalid("prefix length " + prefix + " of '" + address + "' is too long");
    }
    gateway = gateway == null || gateway.isBlank() ? "" : Values.ipLiteral(gateway, "gateway");
  }

  /** An address in CIDR form ({@code 10.61.0.5/16}, {@code fd00::5/64}) with no gateway. */
  public static IpConfig of(String address) {
    return new IpConfig(address, "");
  }

  /** An address in CIDR form with its gateway (empty for none). */
  public static IpConfig of(String address, String gateway) {
    return new IpConfig(address, gateway);
  }

  /** True for an IPv6 address. */
  public boolean isIpv6() {
    return address.contains(":");
  }

  /** The address without its prefix length. */
  public String ip() {
    return address.substring(0, address.indexOf('/'));
  }

  /** The prefix length. */
  public int prefixLength() {
    return Integer.parseInt(address.substring(address.indexOf('/') + 1));
  }

  /** The gateway, if there is one. */
  public Optional<String> gatewayIfAny() {
    return gateway.isEmpty() ? Optional.empty() : Optional.of(gateway);
  }

  /** True for an IPv4 or IPv6 literal (no name lookups). */
  public static boolean isIpLiteral(String text) {
    return Values.isIpLiteral(text);
  }

  /**
   * True for an IP literal, or one with a valid prefix length ({@code 10.61.0.5/16}), as
   * {@link AttachRequest#requestedIps()} takes them.
   */
  public static boolean isIpOrCidr(String text) {
    return Values.isIpOrCidr(text);
  }
}
