package dev.ignis.plugin.cni;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ignis.spi.Dns;
import dev.ignis.spi.IpConfig;
import dev.ignis.spi.NetInterface;
import dev.ignis.spi.Route;
import java.util.ArrayList;
import java.util.List;

/**
 * A CNI result (spec versions 0.3.0 to 1.1.0 share this shape; 0.3.x and 0.4.0 add a
 * per-address "version") as the SPI's types: the sandbox's interfaces with their addresses,
 * routes and DNS.
 *
 * @param interfaces the interfaces inside the sandbox, with the addresses assigned to them
 * @param routes the routes
 * @param dns the DNS settings
 */
record CniResults(List<NetInterface> interfaces, List<Route> routes, Dns dns) {

  /** Reads a result; addresses without an interface index go to the interface named {@code ifName}. */
  static CniResults parse(JsonNode result, String ifName, String netnsPath) {
    List<JsonNode> interfaces = new ArrayList<>();
    result.path("interfaces").forEach(interfaces::add);
    List<List<IpConfig>> ipsByInterface = new ArrayList<>();
    interfaces.forEach(i -> ipsByInterface.add(new ArrayList<>()));
    List<IpConfig> unassigned = new ArrayList<>();
    for (JsonNode ip : result.path("ips")) {
      IpConfig config = IpConfig.of(Json.text(ip, "address"), Json.text(ip, "gateway"));
      int index = ip.has("interface") ? ip.get("interface").asInt(-1) : -1;
      if (index >= 0 && index < interfaces.size()) {
        ipsByInterface.get(index).add(config);
      } else {
        unassigned.add(config);
      }
    }
    List<NetInterface> inSandbox = new ArrayList<>();
    for (int i = 0; i < interfaces.size(); i++) {
      JsonNode node = interfaces.get(i);
      String sandbox = Json.text(node, "sandbox");
      if (sandbox.isEmpty()) {
        continue; // a host-side interface (bridge, veth peer): not the VM's
      }
      List<IpConfig> ips = new ArrayList<>(ipsByInterface.get(i));
      if (Json.text(node, "name").equals(ifName)) {
        ips.addAll(unassigned);
        unassigned.clear();
      }
      inSandbox.add(NetInterface.of(Json.text(node, "name"), Json.text(node, "mac"), sandbox, ips));
    }
    if (inSandbox.isEmpty() && !unassigned.isEmpty()) {
      inSandbox.add(NetInterface.of(ifName, "", netnsPath, unassigned));
    }
    List<Route> routes = new ArrayList<>();
    result.path("routes").forEach(r -> routes.add(Route.of(Json.text(r, "dst"), Json.text(r, "gw"))));
    JsonNode dnsNode = result.path("dns");
    List<String> nameservers = new ArrayList<>();
    dnsNode.path("nameservers").forEach(n -> nameservers.add(n.asText()));
    List<String> search = new ArrayList<>();
    dnsNode.path("search").forEach(n -> search.add(n.asText()));
    return new CniResults(inSandbox, routes, Dns.of(nameservers, Json.text(dnsNode, "domain"), search));
  }
}
