package dev.ignis.plugin.flannel;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;

/**
 * The udp backend's userspace forwarding, in the node agent, on flanneld's wire format (each
 * IPv4 packet, unchanged, as one UDP datagram to the public IP of the node whose subnet holds
 * the destination, port 8285). One thread reads the TUN device and sends; another receives
 * and writes the device; packets for unknown subnets are dropped.
 *
 * <p>Both ends let the kernel batch: the device hands TCP over in 64 KB TSO packets, which
 * {@link TcpOffload#segment} cuts into MTU-sized packets that leave in one send
 * ({@code UDP_SEGMENT}); a receive takes a flow's datagrams together ({@code UDP_GRO}) and
 * {@link TcpOffload#coalesce} joins them into one GSO packet for the device. Each thread has
 * its direct buffers for life: no allocation per packet.
 */
final class UdpForwarder {

  private record Route(Ipv4Net subnet, ByteBuffer node) {}

  private static final int BUFFER = 65536 + TcpOffload.VNET_HDR;

  private final TunDevice tun;
  private final UdpSocket socket;
  private final int port;
  private volatile List<Route> routes = List.of();

  private UdpForwarder(TunDevice tun, UdpSocket socket, int port) {
    this.tun = tun;
    this.socket = socket;
    this.port = port;
  }

  static UdpForwarder start(String device, String publicIp, int port) {
    TunDevice tun = TunDevice.openWithOffload(device);
    UdpSocket socket;
    try {
      socket = UdpSocket.bind(publicIp, port);
    } catch (RuntimeException e) {
      tun.close();
      throw e;
    }
    UdpForwarder forwarder = new UdpForwarder(tun, socket, port);
    thread("udp-out", forwarder::tunToUdp);
    thread("udp-in", forwarder::udpToTun);
    return forwarder;
  }

  /** Replaces the table of other nodes' subnets. */
  void route(Map<Ipv4Net, SubnetLease.Attrs> others) {
    routes = others.entrySet().stream().filter(e -> "udp".equals(e.getValue().backendType()))
        .map(e -> new Route(e.getKey(), UdpSocket.socketAddress(e.getValue().publicIp(), port))).toList();
  }

  private void tunToUdp() {
    ByteBuffer read = ByteBuffer.allocateDirect(BUFFER);
    ByteBuffer packets = ByteBuffer.allocateDirect(BUFFER * 2); // segment headers repeat: room for them
    while (true) {
      if (tun.read(read) < 0) {
        NodeAgent.log("udp backend: the TUN device went away; forwarding stopped");
        return;
      }
      int size = TcpOffload.segment(read, packets);
      if (size == 0) {
        continue; // not IPv4
      }
      int destination = packets.getInt(16);
      for (Route route : routes) {
        if (route.subnet().contains(destination)) {
          socket.send(packets, size, route.node());
          break;
        }
      }
    }
  }

  private void udpToTun() {
    ByteBuffer received = ByteBuffer.allocateDirect(BUFFER);
    ByteBuffer packet = ByteBuffer.allocateDirect(BUFFER);
    while (true) {
      int length = socket.receive(received);
      if (length < 0) {
        NodeAgent.log("udp backend: receive failed; forwarding stopped");
        return;
      }
      for (int at = 0; at + 20 <= length; ) {
        int next = TcpOffload.coalesce(received, at, length, packet);
        if (packet.limit() > TcpOffload.VNET_HDR) {
          tun.write(packet);
        }
        at = next;
      }
    }
  }

  private static void thread(String name, Runnable body) {
    Thread thread = new Thread(body, name);
    thread.setDaemon(true);
    thread.start();
  }
}
