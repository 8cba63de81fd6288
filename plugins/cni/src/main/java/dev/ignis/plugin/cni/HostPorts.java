package dev.ignis.plugin.cni;

import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import dev.ignis.spi.PortMapping;
import dev.ignis.spi.Protocol;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.List;

/**
 * Checks that host ports are free before they are mapped. The portmap plugin only adds DNAT
 * rules and never notices a program already listening on the port, whose clients would then
 * silently reach the VM instead.
 */
final class HostPorts {

  private HostPorts() {}

  /** Throws {@link ErrorCode#BUSY} for the first wanted mapping, not already held, whose port is taken. */
  static void checkFree(List<PortMapping> wanted, List<PortMapping> alreadyHeld) {
    for (PortMapping mapping : wanted) {
      if (alreadyHeld.contains(mapping) || mapping.protocol() == Protocol.SCTP) {
        continue;
      }
      String problem = bindProblem(mapping);
      if (problem.contains("in use")) {
        throw new IgnisException(ErrorCode.BUSY, "host port " + mapping.hostPort() + "/" + mapping.protocol().label()
            + " on " + mapping.hostIp() + " is in use by another program; pick another host port");
      }
      if (!problem.isEmpty()) {
        throw new IgnisException(ErrorCode.INVALID_ARGUMENT, "cannot publish on " + mapping.hostIp() + ":"
            + mapping.hostPort() + " (" + problem + "); use an address of this host or leave it out");
      }
    }
  }

  /** Empty if the port can be bound now, else why not. */
  private static String bindProblem(PortMapping mapping) {
    InetSocketAddress address = new InetSocketAddress(mapping.hostIp(), mapping.hostPort());
    try {
      if (mapping.protocol() == Protocol.UDP) {
        try (DatagramSocket socket = new DatagramSocket(null)) {
          socket.bind(address);
        }
      } else {
        try (ServerSocket socket = new ServerSocket()) {
          socket.setReuseAddress(false);
          socket.bind(address);
        }
      }
      return "";
    } catch (IOException e) {
      String message = String.valueOf(e.getMessage());
      return message.toLowerCase(java.util.Locale.ROOT).contains("in use") ? "in use" : message;
    }
  }
}
