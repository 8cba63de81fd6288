package dev.ignis.runtime.vm;

import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * An exclusive advisory lock on a file, held until closed. The kernel drops it when the
 * process dies, so a crash never leaves a VM locked.
 *
 * <p>Threads of one process (ignisd runs many commands at once) queue on an in-process
 * permit per file before they touch the file: the kernel's record locks belong to the process,
 * and closing <em>any</em> descriptor of the file drops them, so a second thread must never
 * open the file while the first holds its lock.
 */
public final class FileLock implements AutoCloseable {

  private static final Map<Path, Semaphore> HELD_HERE = new ConcurrentHashMap<>();

  private final Semaphore permit;
  private final FileChannel channel;
  private final java.nio.channels.FileLock lock;
  private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

  private FileLock(Semaphore permit, FileChannel channel, java.nio.channels.FileLock lock) {
    this.permit = permit;
    this.channel = channel;
    this.lock = lock;
  }

  private static Semaphore permitOf(Path file) {
    return HELD_HERE.computeIfAbsent(file.toAbsolutePath().normalize(), f -> new Semaphore(1));
  }

  /**
   * Takes the lock, waiting up to {@code wait}; throws {@link ErrorCode#BUSY} naming {@code
   * what} when another command keeps holding it.
   */
  public static FileLock acquire(Path file, Duration wait, String what) {
    long deadline = System.nanoTime() + wait.toNanos();
    Semaphore permit = permitOf(file);
    try {
      if (!permit.tryAcquire(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
        throw busy(what);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IgnisException(ErrorCode.TRY_AGAIN_LATER, "interrupted while waiting for " + what, e);
    }
    FileChannel channel = null;
    try {
      channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      while (true) {
        java.nio.channels.FileLock lock = tryLock(channel);
        if (lock != null) {
          return new FileLock(permit, channel, lock);
        }
        if (System.nanoTime() > deadline) {
          channel.close();
          throw busy(what);
        }
        Thread.sleep(20);
      }
    } catch (IOException e) {
      permit.release();
      throw new IgnisException(ErrorCode.IO_FAILURE, "cannot lock " + file + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      closeQuietly(channel);
      permit.release();
      Thread.currentThread().interrupt();
      throw new IgnisException(ErrorCode.TRY_AGAIN_LATER, "interrupted while waiting for " + what, e);
    } catch (RuntimeException e) {
      permit.release();
      throw e;
    }
  }

  private static IgnisException busy(String what) {
    return new IgnisException(ErrorCode.BUSY, what + " is busy with another command; wait for it to finish and try again");
  }

  private static void closeQuietly(FileChannel channel) {
    try {
      if (channel != null) {
        channel.close();
      }
    } catch (IOException e) {
      // nothing held through it
    }
  }

  /**
   * True if no command (of this process or another) holds the lock on the file right now. A
   * file that does not exist is free, and is not created: asking never leaves a file behind.
   */
  public static boolean isFree(Path file) {
    Semaphore permit = permitOf(file);
    if (!permit.tryAcquire()) {
      return false;
    }
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
      java.nio.channels.FileLock lock = tryLock(channel);
      if (lock != null) {
        lock.release();
        return true;
      }
      return false;
    } catch (java.nio.file.NoSuchFileException e) {
      return true;
    } catch (IOException e) {
      return false;
    } finally {
      permit.release();
    }
  }

  private static java.nio.channels.FileLock tryLock(FileChannel channel) throws IOException {
    try {
      return channel.tryLock();
    } catch (OverlappingFileLockException e) {
      return null; // held by another thread of this process
    }
  }

  /** Releases the lock; idempotent (a second close must not hand this process's permit out twice). */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      lock.release();
      channel.close();
    } catch (IOException e) {
      // Closing the channel releases the lock in any case.
    } finally {
      permit.release();
    }
  }
}
