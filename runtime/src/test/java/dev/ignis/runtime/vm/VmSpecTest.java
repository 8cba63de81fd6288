package dev.ignis.runtime.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import dev.ignis.spi.PortMapping;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class VmSpecTest {

  static VmSpec spec(String name) {
    return new VmSpec(name, null, 1, 256, "02:00:00:00:00:01", List.of(), List.of(), "cni");
  }

  @ParameterizedTest
  @ValueSource(strings = {"web", "web-1", "a", "0abc", "x23456789012345678901234567890123456789012345678901234567890123"})
  void name_ofLowerCaseLettersDigitsAndDashes_isAccepted(String name) {
    assertThat(spec(name).name()).isEqualTo(name);
  }

  @ParameterizedTest
  @ValueSource(strings = {"a/b", "..", "../x", "web 1", "Web", "-web", "web-", "web_1", "web.1", "",
      "x234567890123456789012345678901234567890123456789012345678901234"})
  void name_withSlashDotsSpacesUpperCaseOrTooLong_isRefusedWithOneLine(String name) {
    assertThatThrownBy(() -> spec(name))
        .isInstanceOfSatisfying(IgnisException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT))
        .hasMessageContaining("VM name")
        .hasMessageNotContaining("\n");
  }

  @Test
  void resources_outOfRange_areRefusedNamingTheFlag() {
    assertThatThrownBy(() -> new VmSpec("web", null, 0, 256, "02:00:00:00:00:01", List.of(), List.of(), "cni"))
        .hasMessageContaining("--cpus");
    assertThatThrownBy(() -> new VmSpec("web", null, 1, 32, "02:00:00:00:00:01", List.of(), List.of(), "cni"))
        .hasMessageContaining("--memory");
  }

  @Test
  void ports_claimingTheSameHostPort_areRefused() {
    List<PortMapping> ports = List.of(PortMapping.parse("8080:80"), PortMapping.parse("127.0.0.1:8080:81"));
    assertThatThrownBy(() -> new VmSpec("web", null, 1, 256, "02:00:00:00:00:01", List.of(), ports, "cni"))
        .hasMessageContaining("same host port");
  }

  @Test
  void staticIp_thatIsNotAnAddress_isRefused() {
    assertThatThrownBy(() -> new VmSpec("web", null, 1, 256, "02:00:00:00:00:01", List.of("10.0.0"), List.of(), "cni"))
        .hasMessageContaining("--ip");
  }

  @Test
  void network_switchingPlugin_fallsBackToTheNewPluginsDefault_butStaysWithTheSamePlugin() {
    VmSpec onLan = new VmSpec("web", null, 1, 256, List.of(new NetworkSpec("cni", "lan", "02:00:00:00:00:01", List.of(),
        List.of(), Map.of())));
    assertThat(onLan.withNetworkPlugin("cni").first().network()).isEqualTo("lan");
    assertThat(onLan.withNetworkPlugin("flannel").first().network()).isEmpty();
    assertThat(onLan.withNetworkPlugin("flannel").first().plugin()).isEqualTo("flannel");
  }

  @Test
  void aRecordWrittenBeforeVmsHadSeveralNetworks_readsAsItsOneNetwork() throws Exception {
    String old = """
        {"name":"web","cpus":1,"memoryMib":256,"mac":"02:00:00:00:00:01","staticIps":["10.61.0.9"],
         "ports":[{"hostIp":"0.0.0.0","hostPort":8080,"vmPort":80,"protocol":"TCP"}],
         "networkPlugin":"cni","netOptions":{"k":"v"},"network":"lan"}""";
    VmSpec read = dev.ignis.runtime.format.Mappers.json().readValue(old, VmSpec.class);
    assertThat(read.networks()).containsExactly(new NetworkSpec("cni", "lan", "02:00:00:00:00:01", List.of("10.61.0.9"),
        List.of(PortMapping.parse("8080:80")), Map.of("k", "v")));
    String written = dev.ignis.runtime.format.Mappers.json().writeValueAsString(read);
    List<String> fields = new java.util.ArrayList<>();
    dev.ignis.runtime.format.Mappers.json().readTree(written).fieldNames().forEachRemaining(fields::add);
    assertThat(fields).containsExactlyInAnyOrder("name", "boot", "cpus", "memoryMib", "networks", "dns", "ssh",
        "labels");
    assertThat(dev.ignis.runtime.format.Mappers.json().readValue(written, VmSpec.class)).isEqualTo(read);
  }

  @Test
  void severalNetworks_keepTheirOrder_andRefuseTheSameNetworkTwice_aSharedMac_andAClashingHostPort() {
    NetworkSpec lan = new NetworkSpec("cni", "lan", "02:00:00:00:00:01", List.of(), List.of(PortMapping.parse("8080:80")),
        Map.of());
    NetworkSpec storage = new NetworkSpec("cni", "storage", "02:00:00:00:00:02", List.of(), List.of(), Map.of());
    VmSpec two = new VmSpec("web", null, 1, 256, List.of(lan, storage));
    assertThat(two.networks()).extracting(NetworkSpec::label).containsExactly("cni:lan", "cni:storage");
    assertThat(two.ports()).containsExactly(PortMapping.parse("8080:80"));
    assertThatThrownBy(() -> new VmSpec("web", null, 1, 256, List.of(lan, lan.withPorts(List.of()))))
        .hasMessageContaining("--network cni:lan is given twice");
    assertThatThrownBy(() -> new VmSpec("web", null, 1, 256, List.of(lan, new NetworkSpec("cni", "storage",
        "02:00:00:00:00:01", List.of(), List.of(), Map.of())))).hasMessageContaining("both have MAC");
    assertThatThrownBy(() -> new VmSpec("web", null, 1, 256, List.of(lan, storage.withPorts(List.of(
        PortMapping.parse("8080:81")))))).hasMessageContaining("claim the same host port");
    assertThatThrownBy(() -> two.withNetworkPlugin("flannel")).hasMessageContaining("one network only");
  }

  @Test
  void aPortNamingANetwork_isPublishedFromIt_andAnUnknownNameListsTheVmsNetworks() {
    VmSpec two = new VmSpec("web", null, 1, 256, List.of(NetworkSpec.of("cni"), new NetworkSpec("cni", "storage",
        "02:00:00:00:00:02", List.of(), List.of(), Map.of())));
    VmSpec published = PublishedPort.addTo(two, List.of(PublishedPort.parse("storage/127.0.0.1:8080:80/udp"),
        PublishedPort.parse("8081:80")));
    assertThat(published.networks().get(1).ports()).containsExactly(PortMapping.parse("127.0.0.1:8080:80/udp"));
    assertThat(published.networks().get(0).ports()).containsExactly(PortMapping.parse("8081:80"));
    assertThat(PublishedPort.parse("8080:80/udp").network()).isEmpty();
    assertThat(PublishedPort.parse("[::1]:8080:80").network()).isEmpty();
    assertThatThrownBy(() -> PublishedPort.addTo(two, List.of(PublishedPort.parse("nosuch/8080:80"))))
        .hasMessageContaining("has no network named 'nosuch' (it has: cni, cni:storage)");
  }

  @Test
  void mac_isLowerCasedAndMulticastRefused() {
    assertThat(new MacAddress("02:AB:CD:EF:01:23").value()).isEqualTo("02:ab:cd:ef:01:23");
    assertThatThrownBy(() -> new MacAddress("01:00:5e:00:00:01")).hasMessageContaining("multicast");
    assertThatThrownBy(() -> new MacAddress("02:00")).hasMessageContaining("not of the form");
  }

  @Test
  void randomMac_isLocallyAdministeredUnicast() {
    for (int i = 0; i < 100; i++) {
      int first = Integer.parseInt(MacAddress.random().value().substring(0, 2), 16);
      assertThat(first & 0x03).isEqualTo(0x02);
    }
  }
}
