package dev.ignis.runtime.daemon;

import dev.ignis.runtime.client.DaemonAddress;
import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The lock that makes an ignisd the only one of its state dir, with its pid file. The kernel
 * drops the lock when the process dies, so a killed daemon never blocks the next one.
 */
final class DaemonLock implements AutoCloseable {

  private final DaemonAddress address;
  private final FileChannel channel;
  private final FileLock lock;

  private DaemonLock(DaemonAddress address, FileChannel channel, FileLock lock) {
    this.address = address;
    this.channel = channel;
    this.lock = lock;
  }

  /** Takes the lock, making the daemon's directory first; null if another ignisd holds it. */
  static DaemonLock take(DaemonAddress address, DaemonAccess access) {
    try {
      Files.createDirectories(address.dir());
      Files.setPosixFilePermissions(address.dir(), PosixFilePermissions.fromString(access.dirMode()));
      access.applyGroup(address.dir());
      FileChannel channel = FileChannel.open(address.lockFile(), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock lock = channel.tryLock();
      if (lock == null) {
        channel.close();
        return null;
      }
      Files.writeString(address.pidFile(), ProcessHandle.current().pid() + "\n");
      return new DaemonLock(address, channel, lock);
    } catch (IOException e) {
      throw new IgnisException(ErrorCode.IO_FAILURE, "cannot set up " + address.dir() + ": " + e.getMessage()
          + "; check the state dir's permissions", e);
    }
  }

  @Override
  public void close() {
    try {
      Files.deleteIfExists(address.pidFile());
      lock.release();
      channel.close();
    } catch (IOException e) {
      // The kernel drops the lock with the process in any case.
    }
  }
}
