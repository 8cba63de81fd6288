package dev.ignis.plugin.flannel;

import java.nio.ByteBuffer;
import jnr.ffi.LibraryLoader;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;

/**
 * The libc calls of the udp backend's TUN device and socket, through jnr-ffi, loaded once on
 * first use (loading costs 0.2-0.6 s). Buffers are direct: the calls use their memory as is.
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
