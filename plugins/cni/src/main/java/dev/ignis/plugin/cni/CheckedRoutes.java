package dev.ignis.plugin.cni;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The result CHECK gets, with every route that names no gateway given the one ADD installed it
 * with. The IPAM helpers of the reference plugins install a route without {@code gw} via the
 * first gateway of its family among the interface's addresses, but their CHECK before plugins
 * 1.3.0 (Debian 12 ships 1.1.1) looks for a route with no gateway and reports a network that is
 * fine as broken (containernetworking/plugins#886), which would have {@code runtime gc} stop the
 * VM. The routes named here are the ones in the kernel, so CHECK still finds a missing one.
 */
final class CheckedRoutes {

  private CheckedRoutes() {}

  static JsonNode withGateways(JsonNode result) {
    if (result == null || !result.path("routes").isArray()) {
      return result;
    }
    String v4 = gatewayOf(result, false);
    String v6 = gatewayOf(result, true);
    JsonNode copy = result.deepCopy();
    for (JsonNode route : copy.path("routes")) {
      String gw = route.path("gw").asText("");
      if (gw.isEmpty() && route instanceof ObjectNode object) {
        String gateway = route.path("dst").asText("").contains(":") ? v6 : v4;
        if (!gateway.isEmpty()) {
          object.put("gw", gateway);
        }
      }
    }
    return copy;
  }

  private static String gatewayOf(JsonNode result, boolean ipv6) {
    for (JsonNode ip : result.path("ips")) {
      String gateway = ip.path("gateway").asText("");
      if (!gateway.isEmpty() && gateway.contains(":") == ipv6) {
        return gateway;
      }
    }
    return "";
  }
}
