package dev.ignis.plugin.flannel;

import java.nio.ByteBuffer;
import jnr.ffi.LibraryLoader;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;

/**
 * The libc calls of the udp backend's TUN device and socket, through jnr-ffi, loaded once on
 * first use (loading costs 0.2-0.6 s). Buffers are direct: the calls use their memory as is.
 * Reads do not block for long ({@link #awaitReadable} with a time limit): the forwarder's
 * threads end when asked to, also inside a resident runtime that goes on.
 */
public interface Libc {

  int open(String path, int flags);

  int ioctl(int fd, long request, byte[] argument);

  int ioctl(int fd, long request, long argument);

  long read(int fd, @Out ByteBuffer buffer, long count);

  long write(int fd, @In ByteBuffer buffer, long count);

  int socket(int domain, int type, int protocol);

  int bind(int fd, @In ByteBuffer address, int length);

  int setsockopt(int fd, int level, int name, @In ByteBuffer value, int length);

  long sendto(int fd, @In ByteBuffer buffer, long length, int flags, @In ByteBuffer address, int addressLength);

  long recv(int fd, @Out ByteBuffer buffer, long length, int flags);

  int close(int fd);

  int fcntl(int fd, int command, int argument);

  /** {@code struct pollfd} entries: int fd, short events, short revents (8 bytes each). */
  int poll(@In @Out ByteBuffer fds, long count, int timeoutMillis);

  /** errno of this thread's last call. */
  static int errno() {
    return jnr.ffi.Runtime.getRuntime(get()).getLastError();
  }

  /** A {@code struct pollfd} asking whether {@code fd} has something to read, for {@link #awaitReadable}. */
  static ByteBuffer readable(int fd) {
    ByteBuffer pollfd = ByteBuffer.allocateDirect(8).order(java.nio.ByteOrder.nativeOrder());
    pollfd.putInt(0, fd).putShort(4, (short) 1); // POLLIN
    return pollfd;
  }

  /**
   * Waits up to {@code millis} for the descriptor of {@code pollfd} ({@link #readable}) to have
   * something to read: true if it has (or is in error, which the next read reports), false when
   * the time is up.
   */
  static boolean awaitReadable(Libc libc, ByteBuffer pollfd, int millis) {
    return libc.poll(pollfd, 1, millis) != 0;
  }

  /** The loaded library. */
  static Libc get() {
    return Loaded.INSTANCE;
  }

  /** Holder: loads on first use. */
  final class Loaded {
    private static final Libc INSTANCE = LibraryLoader.create(Libc.class).load("c");

    private Loaded() {}
  }
}
