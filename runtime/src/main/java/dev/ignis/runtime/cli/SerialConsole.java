package dev.ignis.runtime.cli;

import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The caller's terminal joined to a VM's serial console (QEMU's console socket): what the
 * guest prints goes to stdout, what is typed goes to the guest, byte for byte in raw mode
 * (Ctrl-C included), until the detach keys or the VM's end. The terminal's mode is restored
 * however it ends.
 */
final class SerialConsole {

  /** Docker's and Ignite's detach keys. */
  static final String DEFAULT_DETACH_KEYS = "ctrl-p,ctrl-q";

  /** How the session ended. */
  enum End { DETACHED, CLOSED, INPUT_ENDED }

  private SerialConsole() {}

  /** The bytes of {@code ctrl-p,ctrl-q} (or single characters: {@code ctrl-],x}); throws for anything else. */
  static byte[] detachKeys(String spec) {
    List<Byte> keys = new ArrayList<>();
    for (String key : spec.split(",", -1)) {
      String k = key.strip().toLowerCase(Locale.ROOT);
      if (k.startsWith("ctrl-") && k.length() == 6 && "abcdefghijklmnopqrstuvwxyz@[\\]^_".indexOf(k.charAt(5)) >= 0) {
        keys.add((byte) (Character.toUpperCase(k.charAt(5)) & 0x1f));
      } else if (k.length() == 1 && k.charAt(0) > ' ' && k.charAt(0) < 127) {
        keys.add((byte) k.charAt(0));
      } else {
        throw new IgnisException(ErrorCode.INVALID_ARGUMENT, "--detach-keys '" + spec + "': '" + key + "' is not a key;"
            + " give keys such as ctrl-p,ctrl-q (ctrl- and a letter or one of @[\\]^_, or a printable character)");
      }
    }
    byte[] bytes = new byte[keys.size()];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = keys.get(i);
    }
    return bytes;
  }

  /** The detach keys as people write them: {@code Ctrl-P Ctrl-Q}. */
  static String describe(byte[] keys) {
    List<String> names = new ArrayList<>();
    for (byte key : keys) {
      names.add(key < 32 ? "Ctrl-" + (char) (key + 64) : String.valueOf((char) key));
    }
    return String.join(" ", names);
  }

  /**
   * Joins stdin and stdout to the console socket until the detach keys are typed, the VM's
   * console closes, or stdin ends (then the guest's answer is awaited while it keeps coming).
   */
  static End join(Path socket, byte[] detachKeys, PrintStream notes, String vmName) {
    if (!Files.exists(socket)) {
      throw new IgnisException(ErrorCode.INVALID_STATE, "VM '" + vmName + "' has no console socket: it was started"
          + " by an older Ignis; restart it to attach");
    }
    SocketChannel channel;
    try {
      channel = SocketChannel.open(UnixDomainSocketAddress.of(socket));
    } catch (IOException e) {
      throw new IgnisException(ErrorCode.INVALID_STATE, "cannot connect to the console of VM '" + vmName + "' (" + socket
          + "): " + e.getMessage() + "; is it running?");
    }
    Terminal terminal = Terminal.raw();
    notes.print("attached to the serial console of VM '" + vmName + "'; " + describe(detachKeys) + " detaches, the VM"
        + " keeps running" + (terminal.isTerminal() ? "\r\n" : "\n"));
    notes.flush();
    AtomicReference<End> end = new AtomicReference<>();
    AtomicLong lastOutput = new AtomicLong(System.nanoTime());
    CountDownLatch done = new CountDownLatch(1);
    Thread output = new Thread(() -> {
      OutputStream stdout = new FileOutputStream(FileDescriptor.out);
      ByteBuffer buffer = ByteBuffer.allocate(8192);
      try {
        while (channel.read(buffer) >= 0) {
          stdout.write(buffer.array(), 0, buffer.position());
          stdout.flush();
          buffer.clear();
          lastOutput.set(System.nanoTime());
        }
      } catch (IOException e) {
        // closed below, or by the VM
      }
      end.compareAndSet(null, End.CLOSED);
      done.countDown();
    }, "console-out");
    Thread input = new Thread(() -> {
      End how = pump(new FileInputStream(FileDescriptor.in), channel, detachKeys);
      if (how == End.INPUT_ENDED) { // piped input: let the guest answer what it was sent
        long quiet = TimeUnit.MILLISECONDS.toNanos(500);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() - lastOutput.get() < quiet && System.nanoTime() < deadline && done.getCount() > 0) {
          sleep(50);
        }
      }
      end.compareAndSet(null, how);
      done.countDown();
    }, "console-in");
    output.setDaemon(true);
    input.setDaemon(true); // a read of stdin cannot be interrupted: it is left to the JVM's exit
    output.start();
    input.start();
    try {
      done.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      end.compareAndSet(null, End.DETACHED);
    } finally {
      terminal.restore();
      try {
        channel.close();
      } catch (IOException e) {
        // nothing to keep
      }
    }
    return end.get();
  }

  /** Copies typed bytes to the console, holding back a started detach sequence; returns how it ended. */
  static End pump(InputStream in, java.nio.channels.WritableByteChannel console, byte[] detachKeys) {
    byte[] buffer = new byte[1024];
    int matched = 0;
    try {
      while (true) {
        int read = in.read(buffer);
        if (read < 0) {
          return End.INPUT_ENDED;
        }
        java.io.ByteArrayOutputStream send = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < read; i++) {
          byte b = buffer[i];
          if (b == detachKeys[matched]) {
            matched++;
            if (matched == detachKeys.length) {
              write(console, send.toByteArray());
              return End.DETACHED;
            }
            continue;
          }
          send.write(detachKeys, 0, matched); // not the sequence after all: what was held goes too
          matched = 0;
          if (b == detachKeys[0]) {
            matched = 1;
          } else {
            send.write(b);
          }
        }
        write(console, send.toByteArray());
      }
    } catch (IOException e) {
      return End.CLOSED;
    }
  }

  private static void write(java.nio.channels.WritableByteChannel console, byte[] bytes) throws IOException {
    ByteBuffer buffer = ByteBuffer.wrap(bytes);
    while (buffer.hasRemaining()) {
      console.write(buffer);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The caller's terminal in raw mode through {@code stty}, or nothing when stdin is not a terminal. */
  static final class Terminal {
    private final String saved;
    private final Thread restoreAtExit;

    private Terminal(String saved) {
      this.saved = saved;
      this.restoreAtExit = saved == null ? null : new Thread(this::stty0, "restore-terminal");
      if (restoreAtExit != null) {
        Runtime.getRuntime().addShutdownHook(restoreAtExit); // a signal ends the JVM: the terminal is put back
      }
    }

    static Terminal raw() {
      String saved = stty("-g");
      if (saved == null || saved.isBlank()) {
        return new Terminal(null);
      }
      stty("raw", "-echo");
      return new Terminal(saved.strip());
    }

    boolean isTerminal() {
      return saved != null;
    }

    void restore() {
      if (saved != null) {
        stty0();
        try {
          Runtime.getRuntime().removeShutdownHook(restoreAtExit);
        } catch (IllegalStateException e) {
          // already exiting: the hook runs
        }
      }
    }

    private void stty0() {
      stty(saved);
    }

    /** Runs stty on this process's stdin; its output, or null when it failed (stdin no terminal). */
    private static String stty(String... args) {
      List<String> argv = new ArrayList<>(List.of("stty"));
      argv.addAll(List.of(args));
      try {
        Process process = new ProcessBuilder(argv).redirectInput(ProcessBuilder.Redirect.INHERIT)
            .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        return process.waitFor() == 0 ? out : null;
      } catch (IOException e) {
        return null;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return null;
      }
    }
  }
}
