package dev.ignis.plugin.flannel;

import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The network configuration flanneld reads from {@code /coreos.com/network/config}, in its JSON
 * form, so real flanneld nodes and Ignis nodes can share one network. {@link #normalised()}
 * reads it as flanneld does: the same defaults and the same refusals.
 */
record FlannelConfig(String network, Integer subnetLen, String subnetMin, String subnetMax, Backend backend,
    Boolean enableIpv4, Boolean enableIpv6, String ipv6Network) {

  static final String KEY = "/coreos.com/network/config";
  /** flanneld's backend when the config names none. */
  static final String DEFAULT_BACKEND = "udp";

  FlannelConfig(String network, Integer subnetLen, String subnetMin, String subnetMax, Backend backend) {
    this(network, subnetLen, subnetMin, subnetMax, backend, null, null, null);
  }

  /** The backend section: type and its parameters (flanneld's defaults when absent). */
  record Backend(String type, Integer vni, Integer port) {

    static Backend fromJson(Map<String, Object> json) throws IOException {
      return new Backend(Json.string(json, "Type"), Json.integer(json, "VNI"), Json.integer(json, "Port"));
    }

    Map<String, Object> toJson() {
      Map<String, Object> json = new LinkedHashMap<>();
      putIfSet(json, "Type", type);
      putIfSet(json, "VNI", vni);
      putIfSet(json, "Port", port);
      return json;
    }

    int vniOrDefault() {
      return vni == null ? 1 : vni;
    }

    /** flanneld's ports: 8285 for udp; for vxlan a Port of 0 or none means the kernel's, 8472. */
    int portOrDefault() {
      return port != null && port != 0 ? port : type.equals("udp") ? 8285 : 8472;
    }
  }

  /**
   * A checked configuration with flanneld's defaults filled in: backend udp when none is named;
   * subnet length 24 for networks of /22 or wider, else the network's prefix + 2, refused past
   * /28; a given length at most /30 and at least the prefix + 2 (four subnets); the first
   * subnet skipped; bounds inside the network and on a subnet boundary. IPv6 is refused.
   */
  FlannelConfig normalised() {
    if (Boolean.TRUE.equals(enableIpv6) || ipv6Network != null) {
      throw invalid("this flannel network enables IPv6 (EnableIPv6/IPv6Network), which Ignis's flannel plugin does not"
          + " support yet; use an IPv4-only network config");
    }
    if (Boolean.FALSE.equals(enableIpv4)) {
      throw invalid("this flannel network config disables IPv4 (EnableIPv4 false); Ignis's flannel plugin needs IPv4");
    }
    if (network == null || network.isBlank()) {
      throw invalid("the flannel network config has no Network (such as \"10.50.0.0/16\")");
    }
    Ipv4Net net = Ipv4Net.parse(network);
    int len;
    if (subnetLen != null && subnetLen > 0) {
      len = subnetLen;
      if (len > 30) {
        throw invalid("SubnetLen " + len + " is too long: it must be at most /30");
      }
      if (len < net.prefix() + 2) {
        throw invalid("network " + net + " must hold at least four subnets of /" + len + "; use SubnetLen /"
            + (net.prefix() + 2) + " or longer");
      }
    } else if (net.prefix() > 28) {
      throw invalid("network " + net + " is too small: flannel needs a /28 or wider");
    } else {
      len = net.prefix() <= 22 ? 24 : net.prefix() + 2;
    }
    String min = bound("SubnetMin", subnetMin, net, len, net.subnet(len, 1));
    String max = bound("SubnetMax", subnetMax, net, len, net.subnet(len, net.subnetCount(len) - 1));
    if (Integer.compareUnsigned(Ipv4Net.address(min), Ipv4Net.address(max)) > 0) {
      throw invalid("SubnetMin " + min + " is after SubnetMax " + max);
    }
    Backend chosen = backend == null ? new Backend(DEFAULT_BACKEND, null, null) : backend;
    if (chosen.type() == null || !chosen.type().matches("vxlan|host-gw|udp")) {
      throw invalid("backend type '" + chosen.type() + "' is not one of vxlan, host-gw, udp");
    }
    return new FlannelConfig(net.toString(), len, min, max, chosen);
  }

  private static String bound(String name, String given, Ipv4Net net, int len, Ipv4Net fallback) {
    if (given == null || given.isBlank() || given.strip().equals("0.0.0.0")) {
      return Ipv4Net.dotted(fallback.address());
    }
    int address = Ipv4Net.address(given);
    if (!net.contains(address)) {
      throw invalid(name + " " + given + " is outside network " + net);
    }
    if (new Ipv4Net(address, len).address() != address) {
      throw invalid(name + " " + given + " is not on a /" + len + " subnet boundary");
    }
    return given.strip();
  }

  private static IgnisException invalid(String message) {
    return new IgnisException(ErrorCode.INVALID_ARGUMENT, message);
  }

  Ipv4Net net() {
    return Ipv4Net.parse(network);
  }

  /** Reads flanneld's JSON keys; unknown keys are ignored, as flanneld does. */
  static FlannelConfig fromJson(Map<String, Object> json) throws IOException {
    return new FlannelConfig(Json.string(json, "Network"), Json.integer(json, "SubnetLen"),
        Json.string(json, "SubnetMin"), Json.string(json, "SubnetMax"),
        json.get("Backend") == null ? null : Backend.fromJson(Json.child(json, "Backend")),
        Json.bool(json, "EnableIPv4"), Json.bool(json, "EnableIPv6"), Json.string(json, "IPv6Network"));
  }

  Map<String, Object> toJson() {
    Map<String, Object> json = new LinkedHashMap<>();
    putIfSet(json, "Network", network);
    putIfSet(json, "SubnetLen", subnetLen);
    putIfSet(json, "SubnetMin", subnetMin);
    putIfSet(json, "SubnetMax", subnetMax);
    putIfSet(json, "Backend", backend == null ? null : backend.toJson());
    putIfSet(json, "EnableIPv4", enableIpv4);
    putIfSet(json, "EnableIPv6", enableIpv6);
    putIfSet(json, "IPv6Network", ipv6Network);
    return json;
  }

  /** The JSON flanneld reads, as written to etcd and shown by status. */
  String json() {
    return Json.write(toJson());
  }

  private static void putIfSet(Map<String, Object> json, String key, Object value) {
    if (value != null) {
      json.put(key, value);
    }
  }
}
