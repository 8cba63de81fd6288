package dev.ignis.runtime.daemon;

import dev.ignis.runtime.client.CliFrames;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The output of one command on its way to the client. The command's thread only queues frames
 * (it may be interrupted to cancel it, and an interrupted write would close the socket); the
 * connection's thread {@link #pump pumps} them to the socket, with a keep-alive every second.
 * When the client goes away the pump says so once and then drops what the command still
 * writes, so its rollback never blocks on a dead socket. A slow client slows the command down
 * (the queue holds 256 frames) rather than filling the daemon's memory. The command's thread
 * calls {@link #end} last.
 */
final class CommandStream {

  private static final byte[] KEEPALIVE = frame(CliFrames.KEEPALIVE, new byte[0], 0, 0);

  /** Queued by {@link #end}: the command is done. */
  private static final byte[] END = new byte[0];

  private final BlockingQueue<byte[]> frames = new ArrayBlockingQueue<>(256);
  private volatile boolean clientGone;

  /** Says the command is done; called last on its thread. */
  void end() {
    putKeepingInterrupt(END);
  }

  /**
   * Queues a frame even on a cancelled command's thread (a cancelled command still says what it
   * rolled back): the interrupt is held back while it waits, and stays set for the command to
   * see. The pump always drains the queue, so the wait ends.
   */
  private void putKeepingInterrupt(byte[] frame) {
    boolean interrupted = Thread.interrupted();
    while (true) {
      try {
        frames.put(frame);
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** A print stream of the given kind ({@link CliFrames#STDOUT} or {@link CliFrames#STDERR}) for the command. */
  PrintStream printStream(int kind) {
    return new PrintStream(new OutputStream() {
      @Override
      public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] bytes, int offset, int length) throws IOException {
        if (clientGone || length == 0) {
          return;
        }
        putKeepingInterrupt(frame(kind, bytes, offset, length));
      }
    }, true, StandardCharsets.UTF_8);
  }

  /**
   * Writes frames to the socket until {@code command} has ended and its output is out; calls
   * {@code onClientGone} once if the socket fails. Returns false if the client went away.
   */
  boolean pump(OutputStream socket, Thread command, Runnable onClientGone) throws InterruptedException {
    while (true) {
      byte[] frame = frames.poll(1, TimeUnit.SECONDS);
      if (frame == END || frame == null && !command.isAlive() && frames.isEmpty()) {
        flush(socket);
        return !clientGone;
      }
      if (clientGone) {
        continue; // drained and dropped until the command ends
      }
      try {
        socket.write(frame == null ? KEEPALIVE : frame);
        if (frames.isEmpty()) {
          socket.flush();
        }
      } catch (IOException e) {
        clientGone = true;
        frames.clear();
        onClientGone.run();
      }
    }
  }

  private void flush(OutputStream socket) {
    try {
      socket.flush();
    } catch (IOException e) {
      clientGone = true;
    }
  }

  private static byte[] frame(int kind, byte[] bytes, int offset, int length) {
    ByteArrayOutputStream frame = new ByteArrayOutputStream(length + 5);
    try {
      CliFrames.write(frame, kind, bytes, offset, length);
    } catch (IOException e) {
      throw new IllegalStateException(e); // not from a byte array
    }
    return frame.toByteArray();
  }
}
