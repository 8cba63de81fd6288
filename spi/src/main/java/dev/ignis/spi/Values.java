package dev.ignis.spi;

import java.util.regex.Pattern;

/** Checks shared by the SPI's records; each failure is an {@link ErrorCode#INVALID_ARGUMENT}. */
final class Values {

  private static final Pattern IPV4 =
      Pattern.compile("((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)");
  private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]{2,45}");

  private Values() {}

  static String nonBlank(String value, String field) {
    if (value == null || value.isBlank()) {
      throw invalid(field + " is required");
    }
    return value;
  }

  static <T> T required(T value, String field) {
    if (value == null) {
      throw invalid(field + " is required");
    }
    return value;
  }

  /** True for an IPv4 dotted quad or an IPv6 literal; never does a name lookup. */
  static boolean isIpLiteral(String value) {
    if (value == null) {
      return false;
    }
    if (IPV4.matcher(value).matches()) {
      return true;
    }
    return value.contains(":") && IPV6.matcher(value).matches() && parsesAsIpv6(value);
  }

  private static boolean parsesAsIpv6(String value) {
    try {
      // A literal with ':' is parsed, never resolved, by InetAddress.
      return java.net.InetAddress.getByName(value) instanceof java.net.Inet6Address;
    } catch (java.net.UnknownHostException e) {
      return false;
    }
  }

  /** True for an IP literal, or one with a prefix length ({@code 10.61.0.5/16}, {@code fd00::5/64}). */
  static boolean isIpOrCidr(String value) {
    if (value == null) {
      return false;
    }
    int slash = value.indexOf('/');
    if (slash < 0) {
      return isIpLiteral(value);
    }
    String ip = value.substring(0, slash);
    String length = value.substring(slash + 1);
    int max = ip.contains(":") ? 128 : 32;
    return isIpLiteral(ip) && length.matches("\\d{1,3}") && Integer.parseInt(length) <= max;
  }

  static String ipLiteral(String value, String field) {
    if (!isIpLiteral(value)) {
      throw invalid(field + " '" + value + "' is not an IP address; write it as 10.61.0.5 or fd00::5");
    }
    return value;
  }

  /** A Linux interface name: 1 to 15 characters, no slash, colon or white space, not . or ..  */
  static String interfaceName(String name) {
    nonBlank(name, "interface name");
    if (name.length() > 15 || !name.matches("[^/:\\s]+") || name.equals(".") || name.equals("..")) {
      throw invalid("interface name '" + name + "' is not a Linux interface name (1 to 15 characters, no '/', ':'"
          + " or spaces)");
    }
    return name;
  }

  static IgnisException invalid(String message) {
    return new IgnisException(ErrorCode.INVALID_ARGUMENT, message);
  }
}
