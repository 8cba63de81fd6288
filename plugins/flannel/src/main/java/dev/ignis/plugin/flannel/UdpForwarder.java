package dev.ignis.plugin.flannel;

import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.List;
import java.util.Map;

/**
 * The udp backend's userspace forwarding, in the node agent: one thread reads IP packets from
 * the TUN device and sends each, unchanged, as one UDP datagram to the public IP of the node
 * whose subnet holds the destination; another receives datagrams on the backend port and
 * writes them into the device. Packets for unknown subnets are dropped.
 */
final class UdpForwarder {

  private record Route(Ipv4Net subnet, InetSocketAddress node) {}

  private final TunDevice tun;
  private final DatagramChannel socket;
  private final int port;
  private volatile List<Route> routes = List.of();

  private UdpForwarder(TunDevice tun, DatagramChannel socket, int port) {
    this.tun = tun;
    this.socket = socket;
    this.port = port;
  }

  static UdpForwarder start(String device, String publicIp, int port) {
    TunDevice tun = TunDevice.open(device);
    try {
      DatagramChannel socket = DatagramChannel.open().bind(new InetSocketAddress(InetAddress.getByName(publicIp), port));
      UdpForwarder forwarder = new UdpForwarder(tun, socket, port);
      thread("udp-out", forwarder::tunToUdp);
      thread("udp-in", forwarder::udpToTun);
      return forwarder;
    } catch (IOException e) {
      tun.close();
      throw new IgnisException(ErrorCode.PLUGIN_NOT_AVAILABLE, "cannot listen on " + publicIp + ":" + port
          + "/udp for the udp backend: " + e.getMessage(), e);
    }
  }

  /** Replaces the table of other nodes' subnets. */
  void route(Map<Ipv4Net, SubnetLease.Attrs> others) {
    routes = others.entrySet().stream().filter(e -> "udp".equals(e.getValue().backendType()))
        .map(e -> new Route(e.getKey(), new InetSocketAddress(e.getValue().publicIp(), port))).toList();
  }

  private void tunToUdp() {
    byte[] packet = new byte[65536];
    while (true) {
      int length = tun.read(packet);
      if (length < 0) {
        NodeAgent.log("udp backend: the TUN device went away; forwarding stopped");
        return;
      }
      if (length < 20 || (packet[0] >> 4) != 4) {
        continue; // not IPv4
      }
      int destination = ByteBuffer.wrap(packet, 16, 4).getInt();
      for (Route route : routes) {
        if (route.subnet().contains(destination)) {
          send(ByteBuffer.wrap(packet, 0, length), route.node());
          break;
        }
      }
    }
  }

  private void udpToTun() {
    ByteBuffer buffer = ByteBuffer.allocate(65536);
    while (true) {
      buffer.clear();
      try {
        SocketAddress from = socket.receive(buffer);
        if (from != null) {
          tun.write(buffer.array(), buffer.position());
        }
      } catch (IOException e) {
        NodeAgent.log("udp backend: receive failed: " + e.getMessage());
        return;
      }
    }
  }

  private void send(ByteBuffer datagram, SocketAddress node) {
    try {
      socket.send(datagram, node);
    } catch (IOException e) {
      // dropped, as the network would
    }
  }

  private static void thread(String name, Runnable body) {
    Thread thread = new Thread(body, name);
    thread.setDaemon(true);
    thread.start();
  }
}
