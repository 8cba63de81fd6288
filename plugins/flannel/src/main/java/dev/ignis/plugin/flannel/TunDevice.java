package dev.ignis.plugin.flannel;

import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import jnr.ffi.LibraryLoader;

/**
 * A TUN device opened for reading and writing raw IP packets: {@code /dev/net/tun} attached to
 * the named (persistent) interface with {@code ioctl(TUNSETIFF, IFF_TUN | IFF_NO_PI)} through
 * jnr-ffi. Reads block; one thread reads, any may write.
 */
final class TunDevice implements AutoCloseable {

  /** The few libc calls a TUN device needs. */
  public interface LibC {
    int open(String path, int flags);

    int ioctl(int fd, long request, byte[] argument);

    long read(int fd, byte[] buffer, long count);

    long write(int fd, byte[] buffer, long count);

    int close(int fd);
  }

  private static final long TUNSETIFF = 0x400454caL;
  private static final int O_RDWR = 2;
  private static final short IFF_TUN = 0x0001;
  private static final short IFF_NO_PI = 0x1000;

  private final LibC libc;
  private final int fd;

  private TunDevice(LibC libc, int fd) {
    this.libc = libc;
    this.fd = fd;
  }

  static TunDevice open(String name) {
    LibC libc = LibraryLoader.create(LibC.class).load("c");
    int fd = libc.open("/dev/net/tun", O_RDWR);
    if (fd < 0) {
      throw new IgnisException(ErrorCode.PLUGIN_NOT_AVAILABLE, "cannot open /dev/net/tun for " + name
          + " (is the tun module loaded and are we root?)");
    }
    ByteBuffer ifreq = ByteBuffer.allocate(40).order(ByteOrder.nativeOrder());
    ifreq.put(name.getBytes(StandardCharsets.US_ASCII));
    ifreq.putShort(16, (short) (IFF_TUN | IFF_NO_PI));
    if (libc.ioctl(fd, TUNSETIFF, ifreq.array()) < 0) {
      libc.close(fd);
      throw new IgnisException(ErrorCode.PLUGIN_NOT_AVAILABLE, "cannot attach to TUN device " + name);
    }
    return new TunDevice(libc, fd);
  }

  /** Reads one packet into {@code buffer}; returns its length, or -1 when the device is gone. */
  int read(byte[] buffer) {
    return (int) libc.read(fd, buffer, buffer.length);
  }

  void write(byte[] packet, int length) {
    byte[] exact = length == packet.length ? packet : java.util.Arrays.copyOf(packet, length);
    libc.write(fd, exact, length);
  }

  @Override
  public void close() {
    libc.close(fd);
  }
}
