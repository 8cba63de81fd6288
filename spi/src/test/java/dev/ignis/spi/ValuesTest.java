package dev.ignis.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ValuesTest {

  private static final VmRef VM = new VmRef("0123456789abcdef", "web");

  @Test
  void ipConfig_splitsAddressAndPrefix() {
    IpConfig ip = new IpConfig("10.61.0.5/16", "10.61.0.1");
    assertThat(ip.ip()).isEqualTo("10.61.0.5");
    assertThat(ip.prefixLength()).isEqualTo(16);
    assertThat(ip.gatewayIfAny()).contains("10.61.0.1");
  }

  @Test
  void ipConfig_withoutPrefixOrWithBadAddress_isRefused() {
    assertThatThrownBy(() -> new IpConfig("10.61.0.5", null)).hasMessageContaining("prefix length");
    assertThatThrownBy(() -> new IpConfig("10.61.0.256/16", null)).hasMessageContaining("not an IP address");
    assertThatThrownBy(() -> new IpConfig("10.61.0.5/33", null)).hasMessageContaining("too long");
  }

  @Test
  void isIpLiteral_neverAcceptsHostNames() {
    assertThat(IpConfig.isIpLiteral("fd00::5")).isTrue();
    assertThat(IpConfig.isIpLiteral("localhost")).isFalse();
    assertThat(IpConfig.isIpLiteral("example.com")).isFalse();
    assertThat(IpConfig.isIpLiteral("1.2.3")).isFalse();
  }

  @Test
  void vmRef_refusesIdsThatAreNotSixteenHexDigits() {
    assertThatThrownBy(() -> new VmRef("../etc", "x")).isInstanceOf(IgnisException.class);
  }

  @Test
  void attachment_copiesItsCollections() {
    List<PortMapping> ports = new java.util.ArrayList<>(List.of(PortMapping.tcp(8080, 80)));
    Attachment attachment = new Attachment("cni", VM, "/run/netns/x", null, null, null, ports, null);
    ports.clear();
    assertThat(attachment.ports()).hasSize(1);
    assertThat(attachment.dns()).isEqualTo(Dns.NONE);
    assertThat(attachment.withPorts(List.of()).ports()).isEmpty();
  }

  @Test
  void attachRequest_defaultsTheInterfaceAndChecksStaticIps() {
    AttachRequest request = new AttachRequest(VM, "", null, null, null, null, Map.of());
    assertThat(request.interfaceName()).isEqualTo("eth0");
    assertThatThrownBy(() -> new AttachRequest(VM, "", "eth0", "", List.of("not-an-ip"), List.of(), Map.of()))
        .hasMessageContaining("static IP");
  }

  @Test
  void errorCode_mapsCniNumbersAndPluginCodes() {
    assertThat(ErrorCode.of(7)).isEqualTo(ErrorCode.INVALID_NETWORK_CONFIG);
    assertThat(ErrorCode.of(11)).isEqualTo(ErrorCode.TRY_AGAIN_LATER);
    assertThat(ErrorCode.of(150)).isEqualTo(ErrorCode.PLUGIN_FAILED);
    assertThat(ErrorCode.of(42)).isEqualTo(ErrorCode.INTERNAL);
  }

  @Test
  void commandResult_orThrow_namesTheCommandAndItsFirstErrorLine() {
    CommandResult failed = new CommandResult(Command.of("ip", "link"), 2, "", "Cannot find device\nmore");
    assertThatThrownBy(() -> failed.orThrow(ErrorCode.IO_FAILURE))
        .hasMessage("'ip link' failed with status 2: Cannot find device");
  }

  @Test
  void spiVersion_matchesTheBuild() {
    assertThat(SpiVersion.CURRENT).isEqualTo(System.getProperty("ignis.spi.version"));
  }
}
