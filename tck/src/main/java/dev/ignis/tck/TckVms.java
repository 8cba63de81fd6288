package dev.ignis.tck;

import dev.ignis.spi.AttachRequest;
import dev.ignis.spi.PortMapping;
import dev.ignis.spi.VmRef;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;

/** VMs, MACs and host ports for the kit's requests: random, so that runs never collide. */
final class TckVms {

  private static final SecureRandom RANDOM = new SecureRandom();

  private TckVms() {}

  static VmRef newVm() {
    byte[] id = new byte[8];
    RANDOM.nextBytes(id);
    String hex = HexFormat.of().formatHex(id);
    return VmRef.of(hex, "tck-" + hex.substring(0, 6));
  }

  /** A locally administered unicast MAC. */
  static String newMac() {
    byte[] mac = new byte[6];
    RANDOM.nextBytes(mac);
    mac[0] = (byte) ((mac[0] & 0xfc) | 0x02);
    return HexFormat.ofDelimiter(":").formatHex(mac);
  }

  /**
   * A TCP port nothing listens on now, below Linux's ephemeral range (32768 and up): a port the
   * kernel handed out for a moment could be any outgoing connection's by the time a VM publishes it.
   */
  static int freePort() {
    for (int attempt = 0; ; attempt++) {
      int port = 20000 + RANDOM.nextInt(12000);
      try (ServerSocket socket = new ServerSocket(port)) {
        return socket.getLocalPort();
      } catch (IOException e) {
        if (attempt == 100) {
          throw new UncheckedIOException("no free TCP port between 20000 and 32000", e);
        }
      }
    }
  }

  /** A request for a new VM in the sandbox (empty for a plugin with its own), its first network. */
  static AttachRequest request(String netnsPath, List<PortMapping> ports) {
    return AttachRequest.builder(newVm()).netnsPath(netnsPath).mac(newMac()).ports(ports).build();
  }
}
