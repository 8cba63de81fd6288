package dev.ignis.plugin.flannel;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;

/**
 * The network configuration flanneld reads from {@code /coreos.com/network/config}, in its JSON
 * form, so real flanneld nodes and Ignis nodes can share one network.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
record FlannelConfig(
    @JsonProperty("Network") String network,
    @JsonProperty("SubnetLen") Integer subnetLen,
    @JsonProperty("SubnetMin") String subnetMin,
    @JsonProperty("SubnetMax") String subnetMax,
    @JsonProperty("Backend") Backend backend) {

  static final String KEY = "/coreos.com/network/config";

  /** The backend section: type and its parameters (flanneld's defaults when absent). */
  @JsonIgnoreProperties(ignoreUnknown = true)
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Backend(@JsonProperty("Type") String type, @JsonProperty("VNI") Integer vni,
      @JsonProperty("Port") Integer port) {

    int vniOrDefault() {
      return vni == null ? 1 : vni;
    }

    int portOrDefault() {
      return port != null ? port : type.equals("udp") ? 8285 : 8472;
    }
  }

  /** A checked configuration with flanneld's defaults filled in. */
  FlannelConfig normalised() {
    Ipv4Net net = Ipv4Net.parse(network);
    int len = subnetLen == null ? Math.max(24, net.prefix() + 1) : subnetLen;
    if (len <= net.prefix() || len > 30) {
      throw new IgnisException(ErrorCode.INVALID_ARGUMENT, "subnet length " + len + " does not fit network " + net
          + "; it must be longer than /" + net.prefix() + " and at most /30");
    }
    String min = subnetMin != null ? subnetMin : Ipv4Net.dotted(net.subnet(len, 1).address());
    String max = subnetMax != null ? subnetMax
        : Ipv4Net.dotted(net.subnet(len, net.subnetCount(len) - 1).address());
    for (String bound : new String[] {min, max}) {
      if (!net.contains(Ipv4Net.address(bound))) {
        throw new IgnisException(ErrorCode.INVALID_ARGUMENT, "subnet bound " + bound + " is outside network " + net);
      }
    }
    Backend chosen = backend == null ? new Backend("vxlan", null, null) : backend;
    if (!chosen.type().matches("vxlan|host-gw|udp")) {
      throw new IgnisException(ErrorCode.INVALID_ARGUMENT, "backend '" + chosen.type()
          + "' is not one of vxlan, host-gw, udp");
    }
    return new FlannelConfig(net.toString(), len, min, max, chosen);
  }

  Ipv4Net net() {
    return Ipv4Net.parse(network);
  }
}
