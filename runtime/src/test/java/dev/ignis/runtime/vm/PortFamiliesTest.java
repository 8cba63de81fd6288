package dev.ignis.runtime.vm;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ignis.spi.Attachment;
import dev.ignis.spi.IpConfig;
import dev.ignis.spi.NetInterface;
import dev.ignis.spi.PortMapping;
import dev.ignis.spi.VmRef;
import java.util.List;
import org.junit.jupiter.api.Test;

class PortFamiliesTest {

  private static Attachment with(String... cidrs) {
    List<IpConfig> ips = java.util.Arrays.stream(cidrs).map(IpConfig::of).toList();
    return Attachment.builder("cni", VmRef.of("0123456789abcdef", "web")).guestInterface("eth0")
        .interfaces(List.of(NetInterface.of("eth0", "02:00:00:00:00:07", "/run/netns/x", ips))).build();
  }

  private static List<PortMapping> ports(String... specs) {
    return java.util.Arrays.stream(specs).map(PortMapping::parse).toList();
  }

  @Test
  void anIpv6HostAddress_onAnIpv4OnlyVm_isRefusedNamingThePortAndTheFix() {
    assertThatThrownBy(() -> PortFamilies.check("web", with("10.61.0.5/16"), ports("8080:80", "[::1]:20391:80")))
        .hasMessage("port [::1]:20391:80/tcp: host address ::1 is IPv6, but VM 'web' has only IPv4 addresses"
            + " (10.61.0.5/16) on its network; publish on an IPv4 address (e.g. 127.0.0.1:20391:80/tcp) or on all"
            + " addresses (0.0.0.0:20391:80/tcp)");
  }

  @Test
  void anIpv4HostAddress_onAnIpv6OnlyVm_isRefused_andAVmWithoutAddresses_takesNoBoundPort() {
    assertThatThrownBy(() -> PortFamilies.check("web", with("fd00::5/64"), ports("127.0.0.1:8080:80")))
        .hasMessageContaining("host address 127.0.0.1 is IPv4").hasMessageContaining("only IPv6 addresses (fd00::5/64)");
    assertThatThrownBy(() -> PortFamilies.check("web", with(), ports("127.0.0.1:8080:80")))
        .hasMessageContaining("has no address on its network");
  }

  @Test
  void portsOnAllAddresses_orOnAFamilyTheVmHas_pass() {
    assertThatCode(() -> PortFamilies.check("web", with("10.61.0.5/16"), ports("8080:80", "127.0.0.1:8081:80")))
        .doesNotThrowAnyException();
    assertThatCode(() -> PortFamilies.check("web", with("10.61.0.5/16", "fd00::5/64"), ports("[::1]:8082:80")))
        .doesNotThrowAnyException();
    assertThatCode(() -> PortFamilies.check("web", with(), ports("8080:80"))).doesNotThrowAnyException();
  }
}
