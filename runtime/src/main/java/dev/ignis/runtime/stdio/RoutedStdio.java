package dev.ignis.runtime.stdio;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;

/**
 * Standard output and error per command rather than per process. ignisd runs many commands at
 * once, each for a client with its own terminal: it installs {@link #install routed} {@code
 * System.out} and {@code System.err} whose writes go to the streams of the command the writing
 * thread works for ({@link #bind}), and to the daemon's own streams (its log) otherwise. So
 * logs, plugin notices and anything else written to {@code System.err} on behalf of a command
 * reach that command's client. A thread started by a command's thread inherits its streams;
 * work handed to a pool carries them with {@link #propagating}.
 */
public final class RoutedStdio {

  /** Where one command's output goes, and whether it asked for debug logs ({@code -v}). */
  public record Target(PrintStream out, PrintStream err, boolean verbose) {}

  private static final InheritableThreadLocal<Target> CURRENT = new InheritableThreadLocal<>();

  private RoutedStdio() {}

  /** Routes {@code System.out} and {@code System.err} through the bound targets from now on. */
  public static synchronized void install() {
    if (!(System.err instanceof Routed)) {
      PrintStream out = System.out;
      PrintStream err = System.err;
      System.setOut(new Routed(out, false));
      System.setErr(new Routed(err, true));
    }
  }

  /** Binds this thread (and threads it starts) to a command's streams until the returned scope closes. */
  public static Scope bind(Target target) {
    Target previous = CURRENT.get();
    CURRENT.set(target);
    return () -> CURRENT.set(previous);
  }

  /** The command this thread works for, if any. */
  public static java.util.Optional<Target> current() {
    return java.util.Optional.ofNullable(CURRENT.get());
  }

  /** The task, run with the streams of the thread that calls this (for work handed to a pool). */
  public static <T> Callable<T> propagating(Callable<T> task) {
    Target target = CURRENT.get();
    if (target == null) {
      return task;
    }
    return () -> {
      try (Scope scope = bind(target)) {
        return task.call();
      }
    };
  }

  /** Ends a {@link #bind}. */
  public interface Scope extends AutoCloseable {
    @Override
    void close();
  }

  /** A stream that writes to the current command's stream, else to the process's own. */
  private static final class Routed extends PrintStream {
    private final boolean error;

    Routed(PrintStream own, boolean error) {
      super(new Router(own, error), true, StandardCharsets.UTF_8);
      this.error = error;
    }

    @Override
    public String toString() {
      return "RoutedStdio[" + (error ? "err" : "out") + "]";
    }
  }

  private static final class Router extends OutputStream {
    private final PrintStream own;
    private final boolean error;

    Router(PrintStream own, boolean error) {
      this.own = own;
      this.error = error;
    }

    private PrintStream target() {
      Target target = CURRENT.get();
      return target == null ? own : error ? target.err() : target.out();
    }

    @Override
    public void write(int b) {
      target().write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) {
      target().write(b, off, len);
    }

    @Override
    public void flush() {
      target().flush();
    }
  }
}
