package dev.ignis.plugin.flannel;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;

/**
 * A node's subnet lease as flanneld keeps it: key {@code /coreos.com/network/subnets/<ip>-<len>},
 * value its attributes (public IP, backend type and data such as the VXLAN VTEP MAC).
 */
record SubnetLease(Ipv4Net subnet, Attrs attrs) {

  static final String PREFIX = "/coreos.com/network/subnets/";

  /** flanneld's LeaseAttrs JSON. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Attrs(@JsonProperty("PublicIP") String publicIp, @JsonProperty("BackendType") String backendType,
      @JsonProperty("BackendData") Map<String, Object> backendData) {

    String vtepMac() {
      Object mac = backendData == null ? null : backendData.get("VtepMAC");
      return mac == null ? "" : mac.toString();
    }
  }

  String key() {
    return PREFIX + subnet.keyForm();
  }

  /** The subnet of a lease key, or null if the key is not one. */
  static Ipv4Net subnetOfKey(String key) {
    if (!key.startsWith(PREFIX)) {
      return null;
    }
    String form = key.substring(PREFIX.length());
    int dash = form.lastIndexOf('-');
    try {
      return dash < 0 ? null : Ipv4Net.parse(form.substring(0, dash) + "/" + form.substring(dash + 1));
    } catch (RuntimeException e) {
      return null;
    }
  }
}
