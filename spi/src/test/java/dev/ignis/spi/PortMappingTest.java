package dev.ignis.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PortMappingTest {

  @Test
  void parse_withoutProtocol_defaultsToTcpOnEveryAddress() {
    assertThat(PortMapping.parse("8080:80")).isEqualTo(new PortMapping("0.0.0.0", 8080, 80, Protocol.TCP));
  }

  @Test
  void parse_withBindAddressAndProtocol_keepsBoth() {
    assertThat(PortMapping.parse("127.0.0.1:5353:53/udp"))
        .isEqualTo(new PortMapping("127.0.0.1", 5353, 53, Protocol.UDP));
  }

  @Test
  void parse_withBracketedIpv6_readsTheAddress() {
    PortMapping mapping = PortMapping.parse("[::1]:8443:443/TCP");
    assertThat(mapping.hostIp()).isEqualTo("::1");
    assertThat(mapping.spec()).isEqualTo("[::1]:8443:443/tcp");
  }

  @Test
  void spec_roundTripsThroughParse() {
    PortMapping mapping = new PortMapping("10.0.0.1", 1, 65535, Protocol.SCTP);
    assertThat(PortMapping.parse(mapping.spec())).isEqualTo(mapping);
  }

  @ParameterizedTest
  @ValueSource(strings = {"0:80", "65536:80", "8080:0", "abc", "80", "8080:80/icmp", "1:2:3:4", "x:80:80",
      "8080:80/", ":80", "99999999999:80"})
  void parse_ofBadSpec_isAnInvalidArgumentNamingTheSpec(String spec) {
    assertThatThrownBy(() -> PortMapping.parse(spec))
        .isInstanceOfSatisfying(IgnisException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT))
        .hasMessageNotContaining("\n");
  }

  @Test
  void clashesWith_sameHostPortOnAnyAddress_clashes() {
    assertThat(PortMapping.parse("8080:80").clashesWith(PortMapping.parse("127.0.0.1:8080:81"))).isTrue();
  }

  @Test
  void clashesWith_otherProtocolOrOtherAddress_doesNotClash() {
    assertThat(PortMapping.parse("8080:80/tcp").clashesWith(PortMapping.parse("8080:80/udp"))).isFalse();
    assertThat(PortMapping.parse("127.0.0.1:8080:80").clashesWith(PortMapping.parse("127.0.0.2:8080:80"))).isFalse();
  }
}
