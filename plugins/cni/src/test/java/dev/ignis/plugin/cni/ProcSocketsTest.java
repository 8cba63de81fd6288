package dev.ignis.plugin.cni;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ignis.spi.Protocol;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProcSocketsTest {

  private static final String HEADER = "  sl  local_address                         remote_address                        st";

  @Test
  void findsATcpListenerOnIpv6Loopback_notOneOnAnotherAddressOrState() {
    List<String> table = List.of(HEADER,
        "   0: 00000000000000000000000001000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000",
        "   1: 00000000000000000000000000000000:1F91 00000000000000000000000000000000:0000 0A 00000000:00000000",
        "   2: 00000000000000000000000001000000:1F92 00000000000000000000000001000000:D431 01 00000000:00000000");
    assertThat(ProcSockets.listens(table, Protocol.TCP, 8080)).isTrue();
    assertThat(ProcSockets.listens(table, Protocol.TCP, 8081)).as("bound to ::, not ::1").isFalse();
    assertThat(ProcSockets.listens(table, Protocol.TCP, 8082)).as("an established connection").isFalse();
  }

  @Test
  void findsABoundUdpSocket() {
    List<String> table = List.of(HEADER,
        "  12: 00000000000000000000000001000000:0035 00000000000000000000000000000000:0000 07 00000000:00000000");
    assertThat(ProcSockets.listens(table, Protocol.UDP, 53)).isTrue();
    assertThat(ProcSockets.listens(table, Protocol.TCP, 53)).isFalse();
  }
}
