package dev.ignis.runtime.vm;

import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;

/**
 * An exclusive advisory lock on a file, held until closed. The kernel drops it when the
 * process dies, so a crash never leaves a VM locked.
 */
public final class FileLock implements AutoCloseable {

  private final FileChannel channel;
  private final java.nio.channels.FileLock lock;

  private FileLock(FileChannel channel, java.nio.channels.FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Takes the lock, waiting up to {@code wait}; throws {@link ErrorCode#BUSY} naming {@code
   * what} when another command keeps holding it.
   */
  public static FileLock acquire(Path file, Duration wait, String what) {
    long deadline = System.nanoTime() + wait.toNanos();
    try {
      FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      while (true) {
        java.nio.channels.FileLock lock = tryLock(channel);
        if (lock != null) {
          return new FileLock(channel, lock);
        }
        if (System.nanoTime() > deadline) {
          channel.close();
          throw new IgnisException(ErrorCode.BUSY,
              what + " is busy with another command; wait for it to finish and try again");
        }
        Thread.sleep(20);
      }
    } catch (IOException e) {
      throw new IgnisException(ErrorCode.IO_FAILURE, "cannot lock " + file + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IgnisException(ErrorCode.TRY_AGAIN_LATER, "interrupted while waiting for " + what, e);
    }
  }

  /** True if no process holds the lock on the file right now. */
  public static boolean isFree(Path file) {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      java.nio.channels.FileLock lock = tryLock(channel);
      if (lock != null) {
        lock.release();
        return true;
      }
      return false;
    } catch (IOException e) {
      return false;
    }
  }

  private static java.nio.channels.FileLock tryLock(FileChannel channel) throws IOException {
    try {
      return channel.tryLock();
    } catch (OverlappingFileLockException e) {
      return null; // held by another thread of this process
    }
  }

  @Override
  public void close() {
    try {
      lock.release();
      channel.close();
    } catch (IOException e) {
      // Closing the channel releases the lock in any case.
    }
  }
}
