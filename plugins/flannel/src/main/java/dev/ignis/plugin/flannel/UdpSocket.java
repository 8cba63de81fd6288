package dev.ignis.plugin.flannel;

import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The udp backend's socket, through libc (jnr-ffi) rather than a DatagramChannel, for the two
 * offloads the JDK cannot ask for: {@code UDP_SEGMENT} (one send of equal-sized packets end to
 * end leaves as one datagram each) and {@code UDP_GRO} (one receive takes several datagrams of
 * a flow end to end). Buffers are direct and used from position 0. One thread receives; one
 * sends.
 */
final class UdpSocket implements AutoCloseable {

  private static final int AF_INET = 2;
  private static final int SOCK_DGRAM = 2;
  private static final int SOL_SOCKET = 1;
  private static final int SO_SNDBUFFORCE = 32;
  private static final int SO_RCVBUFFORCE = 33;
  private static final int SOL_UDP = 17;
  private static final int UDP_SEGMENT = 103;
  private static final int UDP_GRO = 104;
  private static final int MAX_SEGMENTS = 64;
  private static final int MAX_SEND = 60000;
  private static final int MSG_DONTWAIT = 0x40;
  private static final int EAGAIN = 11;

  private final Libc libc;
  private final int fd;
  private final ByteBuffer option = ByteBuffer.allocateDirect(4).order(ByteOrder.nativeOrder());
  private final ByteBuffer readable;
  private int segmentSize = -1;
  private boolean segmentation = true;

  private UdpSocket(Libc libc, int fd) {
    this.libc = libc;
    this.fd = fd;
    this.readable = Libc.readable(fd);
  }

  /** A socket bound to {@code address:port} that receives with GRO. */
  static UdpSocket bind(String address, int port) {
    Libc libc = Libc.get();
    int fd = libc.socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0) {
      throw new IgnisException(ErrorCode.PLUGIN_NOT_AVAILABLE, "cannot open a UDP socket for the udp backend");
    }
    UdpSocket socket = new UdpSocket(libc, fd);
    if (libc.bind(fd, socketAddress(address, port), 16) < 0) {
      socket.close();
      throw new IgnisException(ErrorCode.PLUGIN_NOT_AVAILABLE, "cannot listen on " + address + ":" + port
          + "/udp for the udp backend (in use?)");
    }
    socket.set(SOL_SOCKET, SO_RCVBUFFORCE, 4 << 20); // room for bursts
    socket.set(SOL_SOCKET, SO_SNDBUFFORCE, 4 << 20);
    socket.set(SOL_UDP, UDP_GRO, 1); // without it (old kernels) a receive takes one datagram: still right
    return socket;
  }

  /** sockaddr_in of an IPv4 address and port, for {@link #send}. */
  static ByteBuffer socketAddress(String address, int port) {
    ByteBuffer sockaddr = ByteBuffer.allocateDirect(16).order(ByteOrder.nativeOrder());
    sockaddr.putShort(0, (short) AF_INET);
    sockaddr.order(ByteOrder.BIG_ENDIAN).putShort(2, (short) port).putInt(4, Ipv4Net.address(address));
    return sockaddr;
  }

  /**
   * Sends {@code packets} (from 0 to the limit, each {@code size} long but the last) as one
   * datagram each to {@code to}: in one call where the kernel segments, else one by one.
   */
  void send(ByteBuffer packets, int size, ByteBuffer to) {
    int length = packets.limit();
    if (length <= size || !segmentation) {
      sendEach(packets, size, 0, length, to);
      return;
    }
    if (segmentSize != size) {
      segmentation = set(SOL_UDP, UDP_SEGMENT, size);
      segmentSize = segmentation ? size : 0;
      if (!segmentation) {
        sendEach(packets, size, 0, length, to); // a kernel without UDP GSO
        return;
      }
    }
    // One send may carry at most 64 segments and 64 KB.
    int batch = Math.min(MAX_SEGMENTS, MAX_SEND / size) * size;
    for (int at = 0; at < length; at += batch) {
      int part = Math.min(batch, length - at);
      ByteBuffer from = at == 0 ? packets.position(0) : packets.position(at).slice();
      if (libc.sendto(fd, from, part, 0, to, 16) < 0) {
        sendEach(packets, size, at, at + part, to); // this batch one by one (full buffer, a route's MTU)
      }
    }
    packets.position(0);
  }

  private void sendEach(ByteBuffer packets, int size, int from, int to, ByteBuffer node) {
    if (segmentSize > 0) {
      set(SOL_UDP, UDP_SEGMENT, 0);
      segmentSize = 0;
    }
    for (int at = from; at < to; at += size) {
      ByteBuffer packet = at == 0 ? packets.position(0) : packets.position(at).slice();
      libc.sendto(fd, packet, Math.min(size, to - at), 0, node, 16);
    }
    packets.position(0);
  }

  /**
   * Receives into the direct {@code buffer} from 0 and sets its limit; returns the length,
   * {@link TunDevice#NOTHING} if nothing came within {@link TunDevice#WAIT_MILLIS} (so the
   * receiving thread can stop), or -1.
   */
  int receive(ByteBuffer buffer) {
    int length = (int) libc.recv(fd, buffer.clear(), buffer.capacity(), MSG_DONTWAIT);
    if (length < 0 && Libc.errno() == EAGAIN) {
      length = Libc.awaitReadable(libc, readable, TunDevice.WAIT_MILLIS)
          ? (int) libc.recv(fd, buffer, buffer.capacity(), MSG_DONTWAIT) : TunDevice.NOTHING;
      if (length == -1 && Libc.errno() == EAGAIN) {
        length = TunDevice.NOTHING;
      }
    }
    buffer.limit(Math.max(length, 0));
    return length;
  }

  private boolean set(int level, int name, int value) {
    option.putInt(0, value);
    return libc.setsockopt(fd, level, name, option, 4) == 0;
  }

  @Override
  public void close() {
    libc.close(fd);
  }
}
