package dev.ignis.plugin.cni;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ignis.spi.IpConfig;
import org.junit.jupiter.api.Test;

class CniResultsTest {

  @Test
  void parse_ofA040Result_keepsOnlyTheSandboxInterfaceWithItsAddress() {
    CniResults results = CniResults.parse(Json.object(FakePlugins.RESULT, "r"), "eth0", "/run/netns/x");
    assertThat(results.interfaces()).singleElement().satisfies(i -> {
      assertThat(i.name()).isEqualTo("eth0");
      assertThat(i.mac()).isEqualTo("02:00:00:00:00:07");
      assertThat(i.ips()).containsExactly(new IpConfig("10.99.0.5/24", "10.99.0.1"));
    });
    assertThat(results.routes()).singleElement().satisfies(r -> assertThat(r.gateway()).isEqualTo("10.99.0.1"));
    assertThat(results.dns().nameservers()).containsExactly("10.99.0.1");
    assertThat(results.dns().search()).containsExactly("vm.local");
  }

  @Test
  void parse_ofA100ResultWithoutInterfaces_putsTheAddressOnTheRequestedInterface() {
    String result = "{\"cniVersion\":\"1.0.0\",\"ips\":[{\"address\":\"fd00::5/64\",\"gateway\":\"fd00::1\"}]}";
    CniResults results = CniResults.parse(Json.object(result, "r"), "eth0", "/run/netns/x");
    assertThat(results.interfaces()).singleElement().satisfies(i -> {
      assertThat(i.name()).isEqualTo("eth0");
      assertThat(i.sandbox()).isEqualTo("/run/netns/x");
      assertThat(i.ips()).extracting(IpConfig::ip).containsExactly("fd00::5");
    });
  }
}
