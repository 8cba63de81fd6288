package dev.ignis.plugin.cni;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

class CheckedRoutesTest {

  @Test
  void routesWithoutGateway_getTheirFamilysFirstGateway_othersStayAsTheyAre() throws Exception {
    JsonNode result = Json.MAPPER.readTree("""
        {"cniVersion":"0.4.0","ips":[{"version":"4","address":"10.61.0.5/16","gateway":"10.61.0.1"},
          {"version":"6","address":"fd00::5/64","gateway":"fd00::1"}],
         "routes":[{"dst":"10.0.0.0/8"},{"dst":"0.0.0.0/0","gw":"10.61.0.254"},{"dst":"fd01::/64"}]}
        """);
    JsonNode checked = CheckedRoutes.withGateways(result);
    assertThat(checked.path("routes").toString()).isEqualTo("[{\"dst\":\"10.0.0.0/8\",\"gw\":\"10.61.0.1\"},"
        + "{\"dst\":\"0.0.0.0/0\",\"gw\":\"10.61.0.254\"},{\"dst\":\"fd01::/64\",\"gw\":\"fd00::1\"}]");
    assertThat(result.path("routes").get(0).has("gw")).as("the cached result itself is not changed").isFalse();
  }

  @Test
  void withoutAGatewayOfTheFamily_theRouteStaysGatewayless() throws Exception {
    JsonNode result = Json.MAPPER.readTree("""
        {"ips":[{"address":"10.61.0.5/16"}],"routes":[{"dst":"10.0.0.0/8"}]}""");
    assertThat(CheckedRoutes.withGateways(result).path("routes").get(0).has("gw")).isFalse();
  }
}
