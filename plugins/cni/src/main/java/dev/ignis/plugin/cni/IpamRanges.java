package dev.ignis.plugin.cni;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The address ranges a network's {@code host-local} IPAM allocates from, as the plugin reads
 * them: {@code ranges} (a list of range sets) or the older single {@code subnet}, each with
 * optional {@code rangeStart}, {@code rangeEnd} and {@code gateway}; and where it keeps its
 * leases ({@code dataDir}, default {@code /var/lib/cni/networks}). Lets the runtime check a
 * static address before any plugin runs, and give it the prefix CONVENTIONS' {@code ips}
 * capability wants.
 *
 * @param network the network name (host-local keeps leases in {@code dataDir/<network>})
 * @param rangeSets the range sets, each a list of ranges; empty when the IPAM is not host-local
 * @param dataDir where host-local keeps its leases
 */
record IpamRanges(String network, List<List<Range>> rangeSets, Path dataDir) {

  static final Path DEFAULT_DATA_DIR = Path.of("/var/lib/cni/networks");

  IpamRanges {
    rangeSets = rangeSets.stream().map(List::copyOf).toList();
  }

  /**
   * One range: a subnet and the part of it host-local hands out.
   *
   * @param subnet the network address
   * @param prefix the prefix length
   * @param start the first address handed out (default: network address + 1)
   * @param end the last address handed out (default: the last one before broadcast)
   * @param gateway the gateway (default: network address + 1)
   */
  record Range(InetAddress subnet, int prefix, InetAddress start, InetAddress end, InetAddress gateway) {

    boolean contains(InetAddress ip) {
      return ip.getClass() == subnet.getClass() && network(ip).equals(number(subnet));
    }

    boolean allocates(InetAddress ip) {
      BigInteger n = number(ip);
      return contains(ip) && n.compareTo(number(start)) >= 0 && n.compareTo(number(end)) <= 0;
    }

    boolean isNetworkAddress(InetAddress ip) {
      return number(ip).equals(number(subnet));
    }

    boolean isBroadcast(InetAddress ip) {
      return subnet.getAddress().length == 4 && number(ip).equals(last());
    }

    private BigInteger network(InetAddress ip) {
      return number(ip).and(mask());
    }

    private BigInteger mask() {
      int bits = subnet.getAddress().length * 8;
      return BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE)
          .xor(BigInteger.ONE.shiftLeft(bits - prefix).subtract(BigInteger.ONE));
    }

    private BigInteger last() {
      int bits = subnet.getAddress().length * 8;
      return number(subnet).or(BigInteger.ONE.shiftLeft(bits - prefix).subtract(BigInteger.ONE));
    }

    /** The subnet as written in CIDR form. */
    String cidr() {
      return subnet.getHostAddress() + "/" + prefix;
    }

    @Override
    public String toString() {
      return cidr();
    }
  }

  /** The ranges of the first plugin of the list whose IPAM is host-local; none if there is none. */
  static IpamRanges of(NetworkConfigList list) {
    for (ObjectNode plugin : list.plugins()) {
      JsonNode ipam = plugin.path("ipam");
      if ("host-local".equals(Json.text(ipam, "type"))) {
        String dataDir = Json.text(ipam, "dataDir");
        return new IpamRanges(list.name(), rangeSets(ipam, list.origin()),
            dataDir.isEmpty() ? DEFAULT_DATA_DIR : Path.of(dataDir));
      }
    }
    return new IpamRanges(list.name(), List.of(), DEFAULT_DATA_DIR);
  }

  private static List<List<Range>> rangeSets(JsonNode ipam, String origin) {
    List<List<Range>> sets = new ArrayList<>();
    if (ipam.has("ranges")) {
      for (JsonNode set : ipam.get("ranges")) {
        List<Range> ranges = new ArrayList<>();
        set.forEach(range -> ranges.add(range(range, origin)));
        sets.add(ranges);
      }
    } else if (ipam.has("subnet")) {
      sets.add(List.of(range(ipam, origin)));
    }
    return sets;
  }

  private static Range range(JsonNode node, String origin) {
    String subnet = Json.text(node, "subnet");
    int slash = subnet.indexOf('/');
    try {
      InetAddress network = address(subnet.substring(0, slash));
      int prefix = Integer.parseInt(subnet.substring(slash + 1));
      Range whole = new Range(network, prefix, network, network, network);
      BigInteger base = whole.network(network);
      InetAddress first = fromNumber(base.add(BigInteger.ONE), network);
      InetAddress lastUsable = fromNumber(network.getAddress().length == 4 ? whole.last().subtract(BigInteger.ONE)
          : whole.last(), network);
      return new Range(fromNumber(base, network), prefix, optionalAddress(node, "rangeStart").orElse(first),
          optionalAddress(node, "rangeEnd").orElse(lastUsable), optionalAddress(node, "gateway").orElse(first));
    } catch (RuntimeException e) {
      throw new IgnisException(ErrorCode.INVALID_NETWORK_CONFIG, "network config " + origin + " has host-local subnet '"
          + subnet + "', which is not of the form 10.61.0.0/16");
    }
  }

  private static Optional<InetAddress> optionalAddress(JsonNode node, String field) {
    String text = Json.text(node, field);
    return text.isEmpty() ? Optional.empty() : Optional.of(address(text));
  }

  /** The range that contains the address, if any. */
  Optional<Range> rangeOf(InetAddress ip) {
    return rangeSets.stream().flatMap(List::stream).filter(r -> r.contains(ip)).findFirst();
  }

  /** Which range set the range belongs to. */
  int setOf(Range range) {
    for (int i = 0; i < rangeSets.size(); i++) {
      if (rangeSets.get(i).contains(range)) {
        return i;
      }
    }
    return -1;
  }

  boolean isEmpty() {
    return rangeSets.isEmpty();
  }

  /** Every range, for messages. */
  List<Range> all() {
    return rangeSets.stream().flatMap(List::stream).toList();
  }

  /**
   * The container that holds a lease of the address, if host-local has leased it: the lease
   * file {@code <dataDir>/<network>/<ip>} holds the container id (then the interface name).
   */
  Optional<String> leaseHolder(InetAddress ip) {
    Path dir = dataDir.resolve(network);
    if (!Files.isDirectory(dir)) {
      return Optional.empty();
    }
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : files.toList()) {
        String name = file.getFileName().toString();
        if ((name.contains(".") || name.contains(":")) && !name.startsWith("last_reserved_ip") && sameAddress(name, ip)) {
          String content = Files.readString(file, StandardCharsets.UTF_8);
          return Optional.of(content.lines().findFirst().orElse("").strip());
        }
      }
    } catch (IOException e) {
      return Optional.empty(); // unreadable: host-local itself will say
    }
    return Optional.empty();
  }

  private static boolean sameAddress(String fileName, InetAddress ip) {
    if (!Character.isLetterOrDigit(fileName.charAt(0)) && fileName.charAt(0) != ':') {
      return false;
    }
    try {
      return address(fileName).equals(ip);
    } catch (RuntimeException notAnAddress) {
      return false;
    }
  }

  /** Parses an IP literal; never resolves a name. */
  static InetAddress address(String literal) {
    if (!literal.matches("[0-9A-Fa-f:.]+") || !(literal.contains(".") || literal.contains(":"))) {
      throw new IllegalArgumentException("not an IP literal: " + literal);
    }
    try {
      return InetAddress.getByName(literal);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("not an IP literal: " + literal, e);
    }
  }

  private static BigInteger number(InetAddress ip) {
    return new BigInteger(1, ip.getAddress());
  }

  private static InetAddress fromNumber(BigInteger value, InetAddress like) {
    byte[] raw = value.toByteArray();
    byte[] bytes = new byte[like.getAddress().length];
    int copy = Math.min(raw.length, bytes.length);
    System.arraycopy(raw, raw.length - copy, bytes, bytes.length - copy, copy);
    try {
      return InetAddress.getByAddress(bytes);
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }
}
