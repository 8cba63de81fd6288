package dev.ignis.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Set;
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
    Attachment attachment = Attachment.builder("cni", VM).netnsPath("/run/netns/x").ports(ports).build();
    ports.clear();
    assertThat(attachment.ports()).hasSize(1);
    assertThat(attachment.dns()).isEqualTo(Dns.NONE);
    assertThat(attachment.withPorts(List.of()).ports()).isEmpty();
  }

  @Test
  void attachRequest_defaultsTheInterfaceAndChecksAddresses() {
    AttachRequest request = AttachRequest.builder(VM).build();
    assertThat(request.interfaceName()).isEqualTo("eth0");
    assertThat(request.toBuilder().keptIps(List.of("fd00::5")).build().keptIps()).containsExactly("fd00::5");
    assertThatThrownBy(() -> AttachRequest.builder(VM).requestedIps(List.of("not-an-ip")).build())
        .hasMessageContaining("static IP");
    assertThatThrownBy(() -> AttachRequest.builder(VM).keptIps(List.of("10.0.0")).build())
        .hasMessageContaining("kept IP");
    assertThatThrownBy(() -> AttachRequest.builder(VM).interfaceName("a-name-far-too-long").build())
        .hasMessageContaining("not a Linux interface name");
  }

  @Test
  void attachment_namesItsGuestInterfaceAndFindsIt() {
    NetInterface eth1 = NetInterface.of("eth1", "", "/run/netns/x", List.of(IpConfig.of("fd00::5/64")));
    AttachRequest request = AttachRequest.builder(VM).netnsPath("/run/netns/x").interfaceName("eth1").build();
    Attachment attachment = Attachment.builder("cni", request).addInterface(eth1).build();
    assertThat(attachment.guestInterface()).isEqualTo("eth1");
    assertThat(attachment.guestNic()).contains(eth1);
    assertThat(attachment.toBuilder().guestInterface("eth9").build().guestNic()).isEmpty();
    assertThat(Attachment.builder("cni", VM).build().guestNic()).isEmpty();
  }

  @Test
  void route_takesBothFamiliesAndRefusesWhatIsNoCidr() {
    assertThat(Route.defaultVia("fd00::1").destination()).isEqualTo("::/0");
    assertThat(Route.defaultVia("10.0.0.1").isDefault()).isTrue();
    assertThatThrownBy(() -> Route.of("10.0.0.0", "")).hasMessageContaining("CIDR");
    assertThatThrownBy(() -> Route.of("10.0.0.0/8", "gw")).hasMessageContaining("route gateway");
  }

  @Test
  void gcRequest_namesTheVmsHoldingNetwork() {
    VmRef other = VmRef.of("00000000000000bb", "b");
    GcRequest request = GcRequest.builder().existingVmIds(Set.of(VM.id(), other.id(), "00000000000000cc"))
        .attachments(List.of(Attachment.builder("cni", VM).build())).busyVmIds(Set.of(other.id())).build();
    assertThat(request.networkHoldingVmIds()).containsExactlyInAnyOrder(VM.id(), other.id());
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
