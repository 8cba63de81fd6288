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
    VmSpec onLan = new VmSpec("web", null, 1, 256, "02:00:00:00:00:01", List.of(), List.of(), "cni", Map.of(), "lan");
    assertThat(onLan.withNetworkPlugin("cni").network()).isEqualTo("lan");
    assertThat(onLan.withNetworkPlugin("flannel").network()).isEmpty();
    assertThat(onLan.withNetworkPlugin("flannel").networkPlugin()).isEqualTo("flannel");
  }

  @Test
  void network_inARecordWrittenBeforeItExisted_readsAsThePluginsDefault() throws Exception {
    String old = """
        {"name":"web","cpus":1,"memoryMib":256,"mac":"02:00:00:00:00:01","staticIps":[],"ports":[],
         "networkPlugin":"cni","netOptions":{}}""";
    VmSpec read = dev.ignis.runtime.format.Mappers.json().readValue(old, VmSpec.class);
    assertThat(read.network()).isEmpty();
    assertThat(dev.ignis.runtime.format.Mappers.json().readValue(dev.ignis.runtime.format.Mappers.json()
        .writeValueAsString(read.withNetworkPlugin("cni")), VmSpec.class)).isEqualTo(read);
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
