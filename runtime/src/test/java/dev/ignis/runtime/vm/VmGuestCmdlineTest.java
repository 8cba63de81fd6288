package dev.ignis.runtime.vm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ignis.spi.Attachment;
import dev.ignis.spi.IpConfig;
import dev.ignis.spi.NetInterface;
import dev.ignis.spi.Route;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VmGuestCmdlineTest {

  private final Vm vm = Vm.create(new VmSpec("web", null, 1, 256, List.of(
      new NetworkSpec("cni", "", "02:00:00:00:00:01", List.of(), List.of(), Map.of()),
      new NetworkSpec("cni", "six", "02:00:00:00:00:02", List.of(), List.of(), Map.of()))),
      Instant.parse("2026-01-01T00:00:00Z"));

  private Attachment attachment(String ifName, String mac, List<IpConfig> ips, List<Route> routes) {
    return Attachment.builder("cni", vm.ref()).netnsPath("/run/netns/x").guestInterface(ifName)
        .addInterface(NetInterface.of(ifName, mac, "/run/netns/x", ips)).routes(routes).build();
  }

  @Test
  void eachCardGetsItsAddresses_theFirstAlsoTheGatewaysOfBothFamilies_andSeveralCardsAreListedByMac() {
    Attachment dual = attachment("eth0", "02:00:00:00:00:01", List.of(IpConfig.of("10.61.0.5/24", "10.61.0.1"),
        IpConfig.of("fd00:61::5/64")), List.of(Route.defaultVia("10.61.0.1"), Route.of("::/0", "fd00:61::1")));
    Attachment onlySix = attachment("eth1", "02:00:00:00:00:02", List.of(IpConfig.of("fd00:62::7/64", "fd00:62::1")),
        List.of(Route.of("::/0", "fd00:62::1")));
    String line = VmGuest.cmdline(vm, List.of(dual, onlySix), new GuestDns(List.of(), "none"));
    assertThat(line).contains(" ip=10.61.0.5::10.61.0.1:24:web:eth0:off")
        .contains(" ignis.ip6=eth0,fd00:61::5/64,fd00:61::1")
        .contains(" ignis.ip6=eth1,fd00:62::7/64 ").as("a second card never gets a default route")
        .doesNotContain("eth1:off").contains(" ignis.nics=02:00:00:00:00:01,02:00:00:00:00:02")
        .doesNotContain("ignis.dns");
  }

  @Test
  void theNameserversGoToTheFirstIpArgumentAsFarAsItTakesThem_andAllOfThemToIgnisDns() {
    Attachment v4 = attachment("eth0", "02:00:00:00:00:01", List.of(IpConfig.of("10.61.0.5/24", "10.61.0.1")),
        List.of(Route.defaultVia("10.61.0.1")));
    String line = VmGuest.cmdline(vm, List.of(v4), new GuestDns(List.of("10.0.0.53", "fd00::53", "10.0.0.54"), "--dns"));
    assertThat(line).contains(" ip=10.61.0.5::10.61.0.1:24:web:eth0:off:10.0.0.53:10.0.0.54 ")
        .contains(" ignis.dns=10.0.0.53,fd00::53,10.0.0.54");
    assertThat(VmGuest.cmdline(vm, List.of(), null)).as("told by DHCP").contains(" ignis.net=dhcp")
        .doesNotContain("ignis.dns");
  }
}
