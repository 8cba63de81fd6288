package dev.ignis.plugin.flannel;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

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
 * its direct buffers for life: no allocation per packet. {@link #close} ends both threads (within
 * half a second) and releases the device and the port, so an agent stopped in a runtime that goes
 * on leaves nothing open.
 */
final class UdpForwarder implements AutoCloseable {

  private record Route(Ipv4Net subnet, ByteBuffer node) {}

  private static final int BUFFER = 65536 + TcpOffload.VNET_HDR;

  private final TunDevice tun;
  private final UdpSocket socket;
  private final int port;
  private final Consumer<String> log;
  private final List<Thread> threads = new ArrayList<>();
  private volatile List<Route> routes = List.of();
  private volatile boolean closed;

  private UdpForwarder(TunDevice tun, UdpSocket socket, int port, Consumer<String> log) {
    this.tun = tun;
    this.socket = socket;
    this.port = port;
    this.log = log;
  }

  static UdpForwarder start(String device, String publicIp, int port, Consumer<String> log) {
    TunDevice tun = TunDevice.openWithOffload(device);
    UdpSocket socket;
    try {
      socket = UdpSocket.bind(publicIp, port);
    } catch (RuntimeException e) {
      tun.close();
      throw e;
    }
    UdpForwarder forwarder = new UdpForwarder(tun, socket, port, log);
    forwarder.thread("udp-out", forwarder::tunToUdp);
    forwarder.thread("udp-in", forwarder::udpToTun);
    return forwarder;
  }

  /** Stops forwarding: both threads end, then the device and the socket are closed. Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    // The descriptors are closed only once both threads are gone (a number closed under a thread's
    // read could be reused by the next forwarder's device). Their waits are short: the join
    // finishes also for a caller that was interrupted (an agent being stopped), which keeps its flag.
    boolean interrupted = Thread.interrupted();
    for (Thread thread : threads) {
      while (thread.isAlive()) {
        try {
          thread.join();
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    }
    tun.close();
    socket.close();
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** Replaces the table of other nodes' subnets. */
  void route(Map<Ipv4Net, SubnetLease.Attrs> others) {
    routes = others.entrySet().stream().filter(e -> "udp".equals(e.getValue().backendType()))
        .map(e -> new Route(e.getKey(), UdpSocket.socketAddress(e.getValue().publicIp(), port))).toList();
  }

  private void tunToUdp() {
    ByteBuffer read = ByteBuffer.allocateDirect(BUFFER);
    ByteBuffer packets = ByteBuffer.allocateDirect(BUFFER * 2); // segment headers repeat: room for them
    while (!closed) {
      int length = tun.read(read);
      if (length == TunDevice.NOTHING) {
        continue;
      }
      if (length < 0) {
        log.accept("udp backend: the TUN device went away; forwarding stopped");
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
    while (!closed) {
      int length = socket.receive(received);
      if (length == TunDevice.NOTHING) {
        continue;
      }
      if (length < 0) {
        log.accept("udp backend: receive failed; forwarding stopped");
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

  private void thread(String name, Runnable body) {
    Thread thread = new Thread(body, name);
    thread.setDaemon(true);
    threads.add(thread);
    thread.start();
  }
}
