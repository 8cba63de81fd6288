package dev.ignis.plugin.cni;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ignis.spi.AttachRequest;
import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import dev.ignis.spi.PortMapping;
import dev.ignis.spi.VmRef;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AttachPlanTest {

  @TempDir Path dir;

  private NetworkConfigList network(String capabilities, String ipam) {
    return NetworkConfigList.parseList("""
        {"cniVersion":"1.0.0","name":"net1","plugins":[
          {"type":"bridge","bridge":"br0",%s"ipam":%s},
          {"type":"portmap","capabilities":{"portMappings":true}}]}
        """.formatted(capabilities, ipam), "test");
  }

  private NetworkConfigList hostLocal(String capabilities) {
    return network(capabilities, """
        {"type":"host-local","dataDir":"%s","ranges":[[{"subnet":"10.61.0.0/16"}],
         [{"subnet":"10.62.0.0/24","rangeStart":"10.62.0.10","rangeEnd":"10.62.0.20","gateway":"10.62.0.254"}]]}
        """.formatted(dir));
  }

  private static AttachRequest request(String... ips) {
    return AttachRequest.builder(VmRef.of("0123456789abcdef", "web")).mac("02:00:00:00:00:07")
        .requestedIps(List.of(ips)).build();
  }

  private static AttachRequest keeping(String... ips) {
    return AttachRequest.builder(VmRef.of("0123456789abcdef", "web")).keptIps(List.of(ips)).build();
  }

  private static void assertRefused(NetworkConfigList list, AttachRequest request, ErrorCode code, String message) {
    assertThatThrownBy(() -> AttachPlan.validate(list, request))
        .isInstanceOfSatisfying(IgnisException.class, e -> assertThat(e.code()).isEqualTo(code))
        .hasMessageContaining(message);
  }

  @Test
  void aPortOnAHostAddressOfAFamilyTheNetworkDoesNotGive_isRefused_andOnAllAddressesOrTheSameFamilyTaken() {
    NetworkConfigList v4 = hostLocal("");
    AttachRequest v6Loopback = AttachRequest.builder(VmRef.of("0123456789abcdef", "web"))
        .ports(List.of(PortMapping.parse("[::1]:20391:80"))).build();
    assertRefused(v4, v6Loopback, ErrorCode.INVALID_ARGUMENT, "port [::1]:20391:80/tcp: host address ::1 is IPv6, but"
        + " network 'net1' gives VMs only IPv4 addresses (10.61.0.0/16, 10.62.0.0/24); publish on an IPv4 address");
    for (String port : new String[] {"20391:80", "127.0.0.1:20391:80"}) {
      AttachPlan.validate(v4, AttachRequest.builder(VmRef.of("0123456789abcdef", "web"))
          .ports(List.of(PortMapping.parse(port))).build());
    }
    NetworkConfigList dual = network("", """
        {"type":"host-local","dataDir":"%s","ranges":[[{"subnet":"10.61.0.0/16"}],[{"subnet":"fd00:61::/64"}]]}
        """.formatted(dir));
    for (String port : new String[] {"[::]:20391:80", "[fd00:61::1]:20391:80"}) {
      AttachPlan.validate(dual, AttachRequest.builder(VmRef.of("0123456789abcdef", "web"))
          .ports(List.of(PortMapping.parse(port))).build());
    }
    NetworkConfigList dhcp = network("", "{\"type\":\"dhcp\"}");
    AttachPlan.validate(dhcp, AttachRequest.builder(VmRef.of("0123456789abcdef", "web"))
        .ports(List.of(PortMapping.parse("[fd00::1]:20391:80"))).build()); // ranges unknown: the runtime checks later
  }

  @Test
  void portsOnIpv6Loopback_areLeftOutOfPortmap_forAProxyForwardsThem() {
    NetworkConfigList dual = network("", """
        {"type":"host-local","dataDir":"%s","ranges":[[{"subnet":"10.61.0.0/16"}],[{"subnet":"fd00:61::/64"}]]}
        """.formatted(dir));
    RuntimeConf conf = AttachPlan.runtimeConf(dual, AttachRequest.builder(VmRef.of("0123456789abcdef", "web"))
        .ports(List.of(PortMapping.parse("[::1]:20391:80"), PortMapping.parse("[0:0:0:0:0:0:0:1]:20392:80/udp"),
            PortMapping.parse("[::]:20393:80"), PortMapping.parse("127.0.0.1:20394:80"))).build());
    assertThat(conf.capabilityArgs().get("portMappings").toString()).doesNotContain("20391").doesNotContain("20392")
        .contains("20393").contains("20394");
  }

  @Test
  void ipsCapability_getsCidrFormWithThePrefixOfTheMatchingRange() {
    RuntimeConf conf = AttachPlan.runtimeConf(hostLocal("\"capabilities\":{\"ips\":true},"), request("10.61.3.4", "10.62.0.15"));
    assertThat(conf.capabilityArgs().get("ips").toString()).isEqualTo("[\"10.61.3.4/16\",\"10.62.0.15/24\"]");
    assertThat(conf.argsText()).doesNotContain("IP=");
  }

  @Test
  void withoutTheIpsCapability_oneAddressGoesToCniArgs_andTwoAreRefused() {
    NetworkConfigList list = hostLocal("");
    assertThat(AttachPlan.runtimeConf(list, request("10.61.3.4")).argsText()).contains("IP=10.61.3.4");
    assertRefused(list, request("10.61.3.4", "10.62.0.15"), ErrorCode.INVALID_ARGUMENT,
        "takes one static IP per VM (no plugin of it declares the ips capability");
  }

  @Test
  void addressesThatHostLocalCannotGive_areRefusedWithTheReason() {
    NetworkConfigList list = hostLocal("\"capabilities\":{\"ips\":true},");
    assertRefused(list, request("192.0.2.10"), ErrorCode.INVALID_ARGUMENT, "is outside network 'net1' (10.61.0.0/16, 10.62.0.0/24)");
    assertRefused(list, request("10.61.0.0"), ErrorCode.INVALID_ARGUMENT, "is the network address of 10.61.0.0/16");
    assertRefused(list, request("10.61.0.1"), ErrorCode.INVALID_ARGUMENT, "is the gateway of 10.61.0.0/16");
    assertRefused(list, request("10.61.255.255"), ErrorCode.INVALID_ARGUMENT, "is the broadcast address");
    assertRefused(list, request("10.62.0.254"), ErrorCode.INVALID_ARGUMENT, "is the gateway of 10.62.0.0/24");
    assertRefused(list, request("10.62.0.30"), ErrorCode.INVALID_ARGUMENT, "hands out (10.62.0.10 to 10.62.0.20)");
    assertRefused(list, request("10.61.0.5", "10.61.0.6"), ErrorCode.INVALID_ARGUMENT, "fall in the same address range");
    assertRefused(list, request("10.61.0.5/24"), ErrorCode.INVALID_ARGUMENT, "has prefix length 24, but network 'net1' has 10.61.0.0/16");
  }

  @Test
  void anAddressLeasedToAnotherContainer_isRefused_butOurOwnLeaseIsFine() throws Exception {
    Files.createDirectories(dir.resolve("net1"));
    Files.writeString(dir.resolve("net1/10.61.0.9"), "cafe0000cafe0000\r\neth0");
    Files.writeString(dir.resolve("net1/10.61.0.8"), "0123456789abcdef\r\neth0");
    NetworkConfigList list = hostLocal("");
    assertRefused(list, request("10.61.0.9"), ErrorCode.ALREADY_EXISTS, "is already leased on network 'net1' to container cafe0000cafe0000");
    AttachPlan.validate(list, request("10.61.0.8"));
  }

  @Test
  void keptAddresses_areAskedForWhereStillFreeAndFitting_andOthersAreLeftToIpam() throws Exception {
    Files.createDirectories(dir.resolve("net1"));
    Files.writeString(dir.resolve("net1/10.61.0.9"), "cafe0000cafe0000\r\neth0");
    NetworkConfigList list = hostLocal("\"capabilities\":{\"ips\":true},");
    assertThat(AttachPlan.runtimeConf(list, keeping("10.61.0.8", "10.62.0.15")).capabilityArgs().get("ips").toString())
        .isEqualTo("[\"10.61.0.8/16\",\"10.62.0.15/24\"]");
    assertThat(AttachPlan.runtimeConf(list, keeping("10.61.0.9", "192.0.2.10", "10.61.0.1")).capabilityArgs().has("ips"))
        .as("leased to another, outside, the gateway: none is asked for, and nothing fails").isFalse();
    RuntimeConf mixed = AttachPlan.runtimeConf(list, request("10.61.0.7").toBuilder().keptIps(List.of("10.61.0.8",
        "10.62.0.15")).build());
    assertThat(mixed.capabilityArgs().get("ips").toString())
        .as("a requested address wins its range; a kept one fills another").isEqualTo("[\"10.61.0.7/16\",\"10.62.0.15/24\"]");
    assertThat(AttachPlan.runtimeConf(hostLocal(""), keeping("10.61.0.8", "10.62.0.15")).argsText())
        .as("CNI_ARGS holds one address").contains("IP=10.61.0.8").doesNotContain("10.62.0.15");
  }

  @Test
  void netOptions_becomeCniArgs_butNotReservedOrMalformedOnes() {
    NetworkConfigList list = hostLocal("");
    AttachRequest base = request();
    assertThat(AttachPlan.runtimeConf(list, base.toBuilder().options(java.util.Map.of("K8S_POD_NAME", "web")).build())
        .argsText()).contains("K8S_POD_NAME=web");
    assertRefused(list, base.toBuilder().options(java.util.Map.of("IP", "10.61.0.5")).build(),
        ErrorCode.INVALID_ARGUMENT, "use --ip and --mac");
    assertRefused(list, base.toBuilder().options(java.util.Map.of("a.b", "x")).build(),
        ErrorCode.INVALID_ARGUMENT, "letters, digits and '_'");
    assertRefused(list, base.toBuilder().options(java.util.Map.of("k", "x;y")).build(),
        ErrorCode.INVALID_ARGUMENT, "CNI_ARGS cannot carry");
  }

  @Test
  void aNetworkWithoutRanges_needsThePrefixFromTheUser_forTheIpsCapability() {
    NetworkConfigList list = network("\"capabilities\":{\"ips\":true},", "{\"type\":\"static\"}");
    assertRefused(list, request("10.70.0.5"), ErrorCode.INVALID_ARGUMENT, "give it: --ip 10.70.0.5/24");
    assertThat(AttachPlan.runtimeConf(list, request("10.70.0.5/24")).capabilityArgs().get("ips").get(0).asText())
        .isEqualTo("10.70.0.5/24");
  }

  @Test
  void ports_needAPluginWithThePortMappingsCapability() {
    NetworkConfigList list = NetworkConfigList.parseList(
        "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"plugins\":[{\"type\":\"ptp\"}]}", "test");
    AttachRequest withPorts = AttachRequest.builder(VmRef.of("0123456789abcdef", "web"))
        .ports(List.of(PortMapping.tcp(8080, 80))).build();
    assertRefused(list, withPorts, ErrorCode.NOT_SUPPORTED, "has no plugin with the portMappings capability");
  }

  @Test
  void livePorts_rerunOnlyPluginsThatMakeNoInterface() {
    NetworkConfigList list = NetworkConfigList.parseList("""
        {"cniVersion":"1.0.0","name":"n","plugins":[
          {"type":"ptp","capabilities":{"portMappings":true}},{"type":"portmap","capabilities":{"portMappings":true}}]}
        """, "test");
    var made = Json.object("{\"interfaces\":[{\"name\":\"eth0\",\"sandbox\":\"/run/netns/x\"}]}", "r");
    assertThatThrownBy(() -> LivePorts.plugins(list, List.of(made, made)))
        .hasMessageContaining("plugin ptp makes the VM's interface and also handles its ports");
    NetworkConfigList chained = NetworkConfigList.parseList("""
        {"cniVersion":"1.0.0","name":"n","plugins":[
          {"type":"bridge"},{"type":"portmap","capabilities":{"portMappings":true}}]}
        """, "test");
    assertThat(LivePorts.plugins(chained, List.of(made, made))).extracting(p -> p.get("type").asText())
        .containsExactly("portmap");
    assertThat(LivePorts.plugins(chained, List.of())).hasSize(1);
  }
}
