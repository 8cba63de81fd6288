package dev.ignis.plugin.cni;

import dev.ignis.spi.Protocol;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** Whether a socket is bound on IPv6 loopback, as the kernel lists sockets in {@code /proc/net}. */
final class ProcSockets {

  /** ::1 as /proc/net/tcp6 writes it: four 32-bit words, each in host (little-endian) order. */
  private static final String LOOPBACK6 = "00000000000000000000000001000000";

  private ProcSockets() {}

  /** True if a TCP socket listens, or a UDP socket is bound, on [::1]:port (SCTP: unknown, false). */
  static boolean listens(Protocol protocol, int port) {
    Path table = switch (protocol) {
      case TCP -> Path.of("/proc/net/tcp6");
      case UDP -> Path.of("/proc/net/udp6");
      case SCTP -> null;
    };
    if (table == null) {
      return false;
    }
    try {
      return listens(Files.readAllLines(table), protocol, port);
    } catch (IOException e) {
      return false;
    }
  }

  /** The same over the lines of a table, for tests. */
  static boolean listens(List<String> lines, Protocol protocol, int port) {
    String local = LOOPBACK6 + ":" + String.format(Locale.ROOT, "%04X", port);
    String state = protocol == Protocol.TCP ? "0A" : "07"; // LISTEN; UDP's bound socket shows as CLOSE
    return lines.stream().skip(1).map(String::trim).map(line -> line.split("\\s+"))
        .anyMatch(fields -> fields.length > 3 && fields[1].equalsIgnoreCase(local) && fields[3].equals(state));
  }
}
