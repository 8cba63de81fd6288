package dev.ignis.plugin.cni;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ignis.spi.AttachRequest;
import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import dev.ignis.spi.PortMapping;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What one attach asks of a network, checked against the network before anything on the host
 * changes, and turned into the call's {@link RuntimeConf}: static addresses as CONVENTIONS'
 * {@code ips} capability wants them (CIDR, with the prefix of the range they fall in) or as
 * {@code CNI_ARGS IP=} (one plain address) where no plugin declares it; the MAC likewise
 * ({@code mac} or {@code CNI_ARGS MAC=}); ports through {@code portMappings}; the user's
 * {@code --net-opt} pairs as more {@code CNI_ARGS}. Addresses the VM had last time are asked for
 * again where host-local still has them free; else IPAM picks new ones.
 */
final class AttachPlan {

  private AttachPlan() {}

  /** Throws, naming the problem and the fix, unless the network can give the VM what it asks. */
  static void validate(NetworkConfigList list, AttachRequest request) {
    runtimeConf(list, request);
  }

  /** The call's runtime configuration, after the same checks as {@link #validate}. */
  static RuntimeConf runtimeConf(NetworkConfigList list, AttachRequest request) {
    LoopbackProxies.checkAvailable(request.ports());
    if (!LoopbackProxies.forwardedByPortmap(request.ports()).isEmpty() && !CniRuntime.declares(list, "portMappings")) {
      throw new IgnisException(ErrorCode.NOT_SUPPORTED, "network '" + list.name() + "' (" + list.origin()
          + ") has no plugin with the portMappings capability; drop -p or add portmap to the network");
    }
    checkPortFamilies(list, request.ports());
    List<List<String>> args = new ArrayList<>();
    args.add(List.of("IgnoreUnknown", "1"));
    request.options().forEach((key, value) -> args.add(List.of(checkedArgKey(key), checkedArgValue(key, value))));
    ObjectNode capabilities = Json.MAPPER.createObjectNode();
    capabilities.set("portMappings", portMappingsJson(request.ports()));
    List<String> cidrs = staticIps(list, request);
    if (!cidrs.isEmpty()) {
      if (CniRuntime.declares(list, "ips")) {
        ArrayNode ips = capabilities.putArray("ips");
        cidrs.forEach(ips::add);
      } else {
        args.add(List.of("IP", plain(cidrs.get(0))));
      }
    }
    if (!request.mac().isEmpty()) {
      capabilities.put("mac", request.mac());
      if (!CniRuntime.declares(list, "mac")) {
        args.add(List.of("MAC", request.mac()));
      }
    }
    return new RuntimeConf(request.vm().id(), request.netnsPath(), request.interfaceName(), args, capabilities);
  }

  /**
   * A port bound to one host address reaches the VM only over that address's family: refused
   * when the network's host-local ranges give VMs no address of it (other IPAMs are checked by
   * the runtime once the VM has its addresses).
   */
  private static void checkPortFamilies(NetworkConfigList list, List<PortMapping> ports) {
    IpamRanges ranges = IpamRanges.of(list);
    if (ranges.isEmpty()) {
      return;
    }
    for (PortMapping port : ports) {
      boolean v6 = port.hostIp().contains(":");
      if (!PortMapping.ANY_HOST_IP.equals(port.hostIp())
          && ranges.all().stream().noneMatch(range -> (range.subnet() instanceof java.net.Inet6Address) == v6)) {
        throw invalid("port " + port + ": host address " + port.hostIp() + " is " + (v6 ? "IPv6" : "IPv4")
            + ", but network '" + list.name() + "' gives VMs only " + (v6 ? "IPv4" : "IPv6") + " addresses ("
            + String.join(", ", ranges.all().stream().map(IpamRanges.Range::cidr).toList()) + "); publish on an "
            + (v6 ? "IPv4" : "IPv6") + " address (e.g. " + port.withHostIp(v6 ? "127.0.0.1" : "::") + ") or on all"
            + " addresses (" + port.withHostIp(PortMapping.ANY_HOST_IP) + ")");
      }
    }
  }

  /**
   * portMappings as the capability's JSON (CONVENTIONS: hostPort, containerPort, protocol,
   * hostIP), for an attach and for a live change alike; ports on IPv6 loopback are left to
   * {@link LoopbackProxies}, since portmap's DNAT from ::1 never arrives.
   */
  static ArrayNode portMappingsJson(List<PortMapping> ports) {
    ArrayNode array = Json.MAPPER.createArrayNode();
    for (PortMapping port : LoopbackProxies.forwardedByPortmap(ports)) {
      ObjectNode mapping = array.addObject()
          .put("hostPort", port.hostPort())
          .put("containerPort", port.vmPort())
          .put("protocol", port.protocol().label());
      if (!PortMapping.ANY_HOST_IP.equals(port.hostIp())) {
        mapping.put("hostIP", port.hostIp());
      }
    }
    return array;
  }

  /** CNI_ARGS keys Ignis sets itself, or that CNI reserves. */
  private static final Set<String> RESERVED_ARGS = Set.of("IgnoreUnknown", "IP", "MAC");

  private static String checkedArgKey(String key) {
    if (!key.matches("[A-Za-z0-9_]+") || RESERVED_ARGS.contains(key)) {
      throw invalid("--net-opt " + key + ": the cni plugin passes each --net-opt to the network's plugins as a CNI_ARGS"
          + " pair, whose key is letters, digits and '_' and not one of " + RESERVED_ARGS + " (use --ip and --mac)");
    }
    return key;
  }

  private static String checkedArgValue(String key, String value) {
    if (value.contains(";") || value.contains("=")) {
      throw invalid("--net-opt " + key + " has ';' or '=' in its value, which CNI_ARGS cannot carry; leave them out");
    }
    return value;
  }

  /**
   * The addresses to ask for in CIDR form: the requested ones, each checked against the
   * network's ranges and leases (a problem fails the attach), then the kept ones that still fit
   * and are free (the others are left to IPAM).
   */
  private static List<String> staticIps(NetworkConfigList list, AttachRequest request) {
    List<String> cidrs = requestedIps(list, request);
    cidrs.addAll(keptIps(list, request, cidrs));
    return cidrs;
  }

  private static List<String> keptIps(NetworkConfigList list, AttachRequest request, List<String> requested) {
    IpamRanges ranges = IpamRanges.of(list);
    boolean capability = CniRuntime.declares(list, "ips");
    Set<Integer> setsTaken = new HashSet<>();
    requested.forEach(cidr -> ranges.rangeOf(IpamRanges.address(plain(cidr))).ifPresent(r -> setsTaken.add(ranges.setOf(r))));
    List<String> kept = new ArrayList<>();
    for (String ip : request.keptIps()) {
      InetAddress address = IpamRanges.address(plain(ip));
      Optional<IpamRanges.Range> range = ranges.rangeOf(address);
      boolean fits = range.isPresent() && range.get().allocates(address) && !range.get().isNetworkAddress(address)
          && !range.get().isBroadcast(address) && !address.equals(range.get().gateway());
      boolean free = ranges.leaseHolder(address).map(holder -> holder.equals(request.vm().id())).orElse(true);
      boolean room = capability || requested.size() + kept.size() == 0;
      if (fits && free && room && setsTaken.add(ranges.setOf(range.get()))) {
        kept.add(plain(ip) + "/" + range.get().prefix());
      }
    }
    return kept;
  }

  /** The requested addresses in CIDR form, each checked against the network's ranges and leases. */
  private static List<String> requestedIps(NetworkConfigList list, AttachRequest request) {
    List<String> wanted = request.requestedIps();
    if (wanted.isEmpty()) {
      return new ArrayList<>();
    }
    boolean capability = CniRuntime.declares(list, "ips");
    if (!capability && wanted.size() > 1) {
      throw invalid("network '" + list.name() + "' takes one static IP per VM (no plugin of it declares the ips"
          + " capability, and CNI_ARGS IP= holds one address); give one --ip");
    }
    IpamRanges ranges = IpamRanges.of(list);
    Map<Integer, String> bySet = new HashMap<>();
    List<String> cidrs = new ArrayList<>();
    for (String ip : wanted) {
      InetAddress address = IpamRanges.address(plain(ip));
      Optional<Integer> given = ip.contains("/") ? Optional.of(Integer.parseInt(ip.substring(ip.indexOf('/') + 1)))
          : Optional.empty();
      if (ranges.isEmpty()) {
        if (capability && given.isEmpty()) {
          throw invalid("network '" + list.name() + "' names no address range to take the prefix of --ip " + ip
              + " from (its IPAM is not host-local); give it: --ip " + ip + "/24, for example");
        }
        cidrs.add(given.map(prefix -> plain(ip) + "/" + prefix).orElse(ip));
        continue;
      }
      IpamRanges.Range range = checkInRange(list, ranges, ip, address);
      if (given.isPresent() && given.get() != range.prefix()) {
        throw invalid("--ip " + ip + " has prefix length " + given.get() + ", but network '" + list.name()
            + "' has " + range.cidr() + "; leave the prefix out or write /" + range.prefix());
      }
      String other = bySet.put(ranges.setOf(range), ip);
      if (other != null) {
        throw invalid("--ip " + other + " and --ip " + ip + " fall in the same address range of network '"
            + list.name() + "' (" + range.cidr() + "), which gives a VM one address; give one of them");
      }
      Optional<String> holder = ranges.leaseHolder(address);
      if (holder.isPresent() && !holder.get().equals(request.vm().id())) {
        throw new IgnisException(ErrorCode.ALREADY_EXISTS, "--ip " + plain(ip) + " is already leased on network '"
            + list.name() + "' to container " + holder.get() + " (host-local lease in " + ranges.dataDir()
            + "); pick another address");
      }
      cidrs.add(plain(ip) + "/" + range.prefix());
    }
    return cidrs;
  }

  private static IpamRanges.Range checkInRange(NetworkConfigList list, IpamRanges ranges, String ip,
      InetAddress address) {
    String where = "network '" + list.name() + "'";
    IpamRanges.Range range = ranges.rangeOf(address).orElseThrow(() -> invalid("--ip " + ip + " is outside " + where
        + " (" + String.join(", ", ranges.all().stream().map(IpamRanges.Range::cidr).toList())
        + "); pick an address inside it"));
    if (range.isNetworkAddress(address)) {
      throw invalid("--ip " + ip + " is the network address of " + range.cidr() + " in " + where + "; pick a host address");
    }
    if (range.isBroadcast(address)) {
      throw invalid("--ip " + ip + " is the broadcast address of " + range.cidr() + " in " + where
          + "; pick a host address");
    }
    if (address.equals(range.gateway())) {
      throw invalid("--ip " + ip + " is the gateway of " + range.cidr() + " in " + where + "; pick another address");
    }
    if (!range.allocates(address)) {
      throw invalid("--ip " + ip + " is outside the part of " + range.cidr() + " that " + where + " hands out ("
          + range.start().getHostAddress() + " to " + range.end().getHostAddress() + "); pick an address in it");
    }
    return range;
  }

  /** The address without its prefix length. */
  static String plain(String ipOrCidr) {
    int slash = ipOrCidr.indexOf('/');
    return slash < 0 ? ipOrCidr : ipOrCidr.substring(0, slash);
  }

  private static IgnisException invalid(String message) {
    return new IgnisException(ErrorCode.INVALID_ARGUMENT, message);
  }
}
