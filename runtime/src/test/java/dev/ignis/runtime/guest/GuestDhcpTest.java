package dev.ignis.runtime.guest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ignis.spi.Command;
import dev.ignis.spi.CommandResult;
import dev.ignis.spi.IpConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GuestDhcpTest {

  @TempDir Path vmDir;
  private final List<String> commands = new ArrayList<>();

  /** Runs nothing; for udhcpd, writes the pid file its config names, as the real one does once it forked. */
  private CommandResult fake(Command command) {
    commands.add(command.display());
    if (command.argv().contains("udhcpd")) {
      try {
        Path config = Path.of(command.argv().get(command.argv().size() - 1));
        String pidFile = Files.readAllLines(config).stream().filter(l -> l.startsWith("pidfile "))
            .findFirst().orElseThrow().substring("pidfile ".length());
        Files.writeString(Path.of(pidFile), "1\n");
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
    return new CommandResult(command, 0, "", "");
  }

  @Test
  void theFirstCardsServerNamesTheRouter_aSecondCardsNot_andAnIpv6AddressRidesInOption224() throws Exception {
    GuestDhcp dhcp = new GuestDhcp(this::fake);
    dhcp.serve("/run/netns/x", vmDir, "tap0", "02:00:00:00:00:01", IpConfig.of("10.61.0.5/24"), "10.61.0.1",
        List.of("10.61.0.1"), Optional.of("fd00::5/64 fd00::1"));
    dhcp.serve("/run/netns/x", vmDir, "tap1", "02:00:00:00:00:02", IpConfig.of("10.62.0.5/24"), "", List.of(),
        Optional.empty());
    String first = Files.readString(vmDir.resolve("udhcpd.conf"));
    String second = Files.readString(vmDir.resolve("udhcpd-tap1.conf"));
    assertThat(first).contains("interface tap0").contains("option router 10.61.0.1")
        .contains("option 0xe0 " + java.util.HexFormat.of().formatHex("fd00::5/64 fd00::1".getBytes()));
    assertThat(second).contains("interface tap1").contains("static_lease 02:00:00:00:00:02 10.62.0.5")
        .doesNotContain("router").doesNotContain("0xe0").contains("pidfile " + vmDir.resolve("udhcpd-tap1.pid"));
    assertThat(commands).anyMatch(c -> c.contains("udhcpd " + vmDir.resolve("udhcpd-tap1.conf")));
  }
}
