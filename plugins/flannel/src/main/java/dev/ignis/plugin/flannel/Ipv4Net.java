package dev.ignis.plugin.flannel;

import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;

/** An IPv4 network such as {@code 10.50.3.0/24}: its first address and prefix length. */
record Ipv4Net(int address, int prefix) {

  Ipv4Net {
    if (prefix < 0 || prefix > 32) {
      throw new IgnisException(ErrorCode.INVALID_ARGUMENT, "prefix length " + prefix + " is not 0 to 32");
    }
    address &= mask(prefix);
  }

  /** Parses {@code a.b.c.d/len}. */
  static Ipv4Net parse(String cidr) {
    int slash = cidr == null ? -1 : cidr.indexOf('/');
    if (slash < 0) {
      throw invalid(cidr);
    }
    try {
      return new Ipv4Net(address(cidr.substring(0, slash)), Integer.parseInt(cidr.substring(slash + 1)));
    } catch (NumberFormatException e) {
      throw invalid(cidr);
    }
  }

  /** Parses a dotted IPv4 address into its 32 bits. */
  static int address(String dotted) {
    String[] parts = dotted == null ? new String[0] : dotted.strip().split("\\.", -1);
    if (parts.length != 4) {
      throw invalid(dotted);
    }
    int value = 0;
    for (String part : parts) {
      if (!part.matches("\\d{1,3}") || Integer.parseInt(part) > 255) {
        throw invalid(dotted);
      }
      value = value << 8 | Integer.parseInt(part);
    }
    return value;
  }

  static String dotted(int address) {
    return (address >>> 24) + "." + (address >>> 16 & 255) + "." + (address >>> 8 & 255) + "." + (address & 255);
  }

  private static int mask(int prefix) {
    return prefix == 0 ? 0 : -1 << (32 - prefix);
  }

  boolean contains(int ip) {
    return (ip & mask(prefix)) == address;
  }

  boolean overlaps(Ipv4Net other) {
    int shorter = Math.min(prefix, other.prefix);
    return (address & mask(shorter)) == (other.address & mask(shorter));
  }

  /** The address {@code offset} places after the network address. */
  int at(int offset) {
    return address + offset;
  }

  /** The number of subnets of length {@code len} in this network. */
  long subnetCount(int len) {
    return 1L << (len - prefix);
  }

  /** The {@code index}-th subnet of length {@code len}. */
  Ipv4Net subnet(int len, long index) {
    return new Ipv4Net(address + (int) (index << (32 - len)), len);
  }

  /** Flannel's key form: {@code 10.50.3.0-24}. */
  String keyForm() {
    return dotted(address) + "-" + prefix;
  }

  @Override
  public String toString() {
    return dotted(address) + "/" + prefix;
  }

  private static IgnisException invalid(String text) {
    return new IgnisException(ErrorCode.INVALID_ARGUMENT, "'" + text + "' is not an IPv4 network such as 10.50.0.0/16");
  }
}
