package dev.ignis.plugin.flannel;

import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * A TUN device opened for reading and writing raw IP packets: {@code /dev/net/tun} attached to
 * the named (persistent) interface with {@code ioctl(TUNSETIFF, IFF_TUN | IFF_NO_PI)} through
 * jnr-ffi. Packets move through direct buffers, whose memory the calls use as is (a heap array
 * would be copied in and out of native memory on every call). The descriptor does not block:
 * a read waits {@link #WAIT_MILLIS} at most, so its thread can stop. One thread reads, any may
 * write.
 */
final class TunDevice implements AutoCloseable {

  private static final long TUNSETIFF = 0x400454caL;
  private static final int O_RDWR = 2;
  private static final short IFF_TUN = 0x0001;
  private static final short IFF_NO_PI = 0x1000;
  private static final short IFF_VNET_HDR = 0x4000;
  private static final long TUNSETOFFLOAD = 0x400454d0L;
  private static final long TUN_F_CSUM = 0x01;
  private static final long TUN_F_TSO4 = 0x02;
  private static final int F_SETFL = 4;
  private static final int O_NONBLOCK = 0x800;
  private static final int EAGAIN = 11;
  /** How long a read waits for a packet before it returns {@link #NOTHING}. */
  static final int WAIT_MILLIS = 500;
  /** What a read returns when no packet came within {@link #WAIT_MILLIS}. */
  static final int NOTHING = -2;

  private final Libc libc;
  private final int fd;
  private final ByteBuffer readable;

  private TunDevice(Libc libc, int fd) {
    this.libc = libc;
    this.fd = fd;
    this.readable = Libc.readable(fd);
  }

  /**
   * Opens the device with a virtio-net header before each packet ({@link TcpOffload}) and TCP
   * segmentation offload: reads may be TSO packets of up to 64 KB with partial checksums, and
   * writes may be GSO packets.
   */
  static TunDevice openWithOffload(String name) {
    TunDevice tun = open(name, (short) (IFF_TUN | IFF_NO_PI | IFF_VNET_HDR));
    if (tun.libc.ioctl(tun.fd, TUNSETOFFLOAD, TUN_F_CSUM | TUN_F_TSO4) < 0) {
      tun.close();
      throw new IgnisException(ErrorCode.PLUGIN_NOT_AVAILABLE, "TUN device " + name + " refuses TCP offload");
    }
    return tun;
  }

  private static TunDevice open(String name, short flags) {
    Libc libc = Libc.get();
    int fd = libc.open("/dev/net/tun", O_RDWR);
    if (fd < 0) {
      throw new IgnisException(ErrorCode.PLUGIN_NOT_AVAILABLE, "cannot open /dev/net/tun for " + name
          + " (is the tun module loaded and are we root?)");
    }
    ByteBuffer ifreq = ByteBuffer.allocate(40).order(ByteOrder.nativeOrder());
    ifreq.put(name.getBytes(StandardCharsets.US_ASCII));
    ifreq.putShort(16, flags);
    if (libc.ioctl(fd, TUNSETIFF, ifreq.array()) < 0) {
      libc.close(fd);
      throw new IgnisException(ErrorCode.PLUGIN_NOT_AVAILABLE, "cannot attach to TUN device " + name);
    }
    libc.fcntl(fd, F_SETFL, O_RDWR | O_NONBLOCK);
    return new TunDevice(libc, fd);
  }

  /**
   * Reads one packet into the direct {@code buffer} from its start, and sets its position to 0
   * and its limit to the packet's end; returns the length, {@link #NOTHING} if none came within
   * {@link #WAIT_MILLIS}, or -1 when the device is gone.
   */
  int read(ByteBuffer buffer) {
    int length = (int) libc.read(fd, buffer.clear(), buffer.capacity());
    if (length < 0 && Libc.errno() == EAGAIN) {
      length = Libc.awaitReadable(libc, readable, WAIT_MILLIS) ? (int) libc.read(fd, buffer, buffer.capacity()) : NOTHING;
      if (length == -1 && Libc.errno() == EAGAIN) {
        length = NOTHING;
      }
    }
    buffer.limit(Math.max(length, 0));
    return length;
  }

  /** Writes the packet held by the direct {@code buffer} from its start to its limit. */
  void write(ByteBuffer buffer) {
    libc.write(fd, buffer.position(0), buffer.limit());
  }

  @Override
  public void close() {
    libc.close(fd);
  }
}
