package dev.ignis.plugin.flannel;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A node's subnet lease as flanneld keeps it: key {@code /coreos.com/network/subnets/<ip>-<len>},
 * value its attributes (public IP, backend type and data such as the VXLAN VTEP MAC).
 */
record SubnetLease(Ipv4Net subnet, Attrs attrs) {

  static final String PREFIX = "/coreos.com/network/subnets/";

  /** flanneld's LeaseAttrs JSON: {@code PublicIP}, {@code BackendType}, {@code BackendData}. */
  record Attrs(String publicIp, String backendType, Map<String, Object> backendData) {

    static Attrs fromJson(Map<String, Object> json) throws IOException {
      return new Attrs(Json.string(json, "PublicIP"), Json.string(json, "BackendType"),
          json.get("BackendData") == null ? null : Json.child(json, "BackendData"));
    }

    String json() {
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("PublicIP", publicIp);
      json.put("BackendType", backendType);
      if (backendData != null) {
        json.put("BackendData", backendData);
      }
      return Json.write(json);
    }

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
