package dev.ignis.runtime.client;

import java.io.DataInputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * {@code bin/runtime}: the thin client. It hands the command line, the runtime's part of the
 * environment and the working directory to the ignisd of the state dir (started on demand)
 * and plays back what the command writes, ending with its exit status. With {@code
 * IGNIS_DAEMON=off}, or where no ignisd can run, the very same command runs in this process
 * ({@link InProcess}). Loads nothing but the JDK until then.
 */
public final class ClientMain {

  /** Exit status when ignisd went away under a command (a host/service problem, as the runtime's 103). */
  static final int DAEMON_LOST = 103;
  /** Exit status of a command cancelled with Ctrl-C, as shells report SIGINT. */
  static final int CANCELLED = 130;
  /** Not an exit status: ignisd runs another build of the runtime and ran nothing. */
  static final int OTHER_BUILD = -1;

  private ClientMain() {}

  public static void main(String[] given) {
    // Start-up time is this class's reason to be: no lambdas (each costs milliseconds to link
    // on a cold JVM), no UUID (SecureRandom), nothing from the runtime's libraries.
    String[] args = dev.ignis.runtime.cli.GlobalOptions.hoisted(given); // `ps --state-dir X` as `--state-dir X ps`
    Map<String, String> environment = System.getenv();
    String homeProperty = System.getProperty("ignis.home");
    Optional<Path> home = homeProperty == null || homeProperty.isBlank() ? Optional.empty()
        : Optional.of(Path.of(homeProperty));
    boolean verbose = false;
    for (String arg : args) {
      verbose |= arg.equals("-v") || arg.equals("--verbose");
    }
    if ("off".equals(environment.get("IGNIS_DAEMON")) || home.isEmpty() || isLocalCommand(args)) {
      InProcess.main(home, args);
      return;
    }
    Path workingDir = Path.of("").toAbsolutePath();
    DaemonAddress address = DaemonAddress.of(args, environment, home, workingDir);
    if (isCompletion(args)) { // a TAB: a running ignisd answers (it has the VMs at hand); none is started for it
      Optional<SocketChannel> running = DaemonStarter.connect(address);
      int status = running.isPresent() ? run(running.get(), address, args, environment, workingDir) : OTHER_BUILD;
      if (status != OTHER_BUILD) {
        System.exit(status);
      }
      InProcess.main(home, args);
      return;
    }
    Optional<SocketChannel> channel = DaemonStarter.connectOrStart(address, home.get(), verbose);
    if (channel.isEmpty()) {
      InProcess.main(home, args);
      return;
    }
    int status = run(channel.get(), address, args, environment, workingDir);
    if (status == OTHER_BUILD) {
      channel = DaemonStarter.replaceOtherBuild(address, home.get(), verbose);
      if (channel.isEmpty()) {
        System.err.println("note: ignisd runs another build of Ignis and is busy; this command runs in its own"
            + " process (restart ignisd with 'runtime daemon stop' once it is idle)");
        InProcess.main(home, args);
        return;
      }
      status = run(channel.get(), address, args, environment, workingDir);
    }
    System.exit(status);
  }

  /**
   * Commands that run in the client's own process: {@code daemon} manages the daemon; {@code
   * ssh}, {@code exec} and {@code cp} run ssh with the caller's terminal, {@code attach} joins
   * the console with it, as {@code run -i} does once the VM is up. (Completion, {@code
   * __complete}, goes to a running ignisd but never starts one for a TAB.)
   */
  private static boolean isLocalCommand(String[] args) {
    int command = dev.ignis.runtime.cli.GlobalOptions.commandWord(args);
    String word = command < 0 ? "" : args[command];
    return word.equals("daemon") || word.equals("ssh") || word.equals("exec") || word.equals("cp")
        || word.equals("completion") || word.equals("attach") || word.equals("run") && interactive(args, command + 1);
  }

  /** Whether the command is the completion scripts' {@code __complete}. */
  private static boolean isCompletion(String[] args) {
    int command = dev.ignis.runtime.cli.GlobalOptions.commandWord(args);
    return command >= 0 && args[command].equals("__complete");
  }

  /** Whether {@code run}'s options from {@code from} on ask for the console ({@code -i}). */
  private static boolean interactive(String[] args, int from) {
    for (int i = from; i < args.length && !args[i].equals("--"); i++) {
      if (args[i].equals("-i") || args[i].equals("--interactive") || args[i].equals("-it") || args[i].equals("-ti")) {
        return true;
      }
    }
    return false;
  }

  static int run(SocketChannel channel, DaemonAddress address, String[] args, Map<String, String> environment,
      Path workingDir) {
    String id = Long.toHexString(System.nanoTime()) + "-" + Integer.toHexString(System.identityHashCode(args));
    String body = CliFrames.request(id, args, ClientEnvironment.relevant(environment), workingDir.toString(),
        System.console() != null);
    Cancel cancel = new Cancel(address, id);
    cancel.install();
    OutputStream stdout = new FileOutputStream(FileDescriptor.out);
    OutputStream stderr = new FileOutputStream(FileDescriptor.err);
    String build = BuildId.current();
    try (UnixHttp.Response response = UnixHttp.exchange(channel, "POST", "/v1/cli", "application/json",
        body.getBytes(StandardCharsets.UTF_8), build.isEmpty() ? "" : BuildId.HEADER + ": " + build + "\r\n")) {
      if (response.status() == 409 && response.header("content-type").startsWith("application/json")) {
        String text = response.bodyText();
        if (text.contains("\"restart\"")) {
          return OTHER_BUILD;
        }
        stderr.write(("error: ignisd refused the command: " + firstLine(text) + "\n").getBytes(StandardCharsets.UTF_8));
        return 102;
      }
      if (response.status() != 200) {
        stderr.write(("error: ignisd refused the command: " + firstLine(response.bodyText()) + "\n")
            .getBytes(StandardCharsets.UTF_8));
        return response.status() == 403 ? 103 : 125;
      }
      DataInputStream frames = new DataInputStream(response.body());
      for (CliFrames.Frame frame = CliFrames.read(frames); frame != null; frame = CliFrames.read(frames)) {
        switch (frame.kind()) {
          case CliFrames.STDOUT -> {
            stdout.write(frame.bytes());
            stdout.flush();
          }
          case CliFrames.STDERR -> {
            stderr.write(frame.bytes());
            stderr.flush();
          }
          case CliFrames.EXIT -> {
            return frame.exitStatus();
          }
          default -> { } // keep-alive
        }
      }
      return lost(stderr, address, null);
    } catch (IOException e) {
      return lost(stderr, address, e);
    }
  }

  private static int lost(OutputStream stderr, DaemonAddress address, IOException e) {
    String why = e == null ? "" : " (" + e.getMessage() + ")";
    String line = "error: ignisd stopped while it ran this command" + why + "; see " + address.log()
        + ", then check with 'runtime ps -a' and 'runtime gc'\n";
    try {
      stderr.write(line.getBytes(StandardCharsets.UTF_8));
    } catch (IOException ignored) {
      // Nothing left to tell it on.
    }
    return DAEMON_LOST;
  }

  private static String firstLine(String text) {
    String stripped = text.strip();
    int newline = stripped.indexOf('\n');
    return newline < 0 ? stripped : stripped.substring(0, newline);
  }

  /**
   * Ctrl-C (or SIGTERM): the first asks ignisd to cancel the command, which rolls back what it
   * did and then ends the stream with its status; a second leaves at once.
   */
  private static final class Cancel {
    private final DaemonAddress address;
    private final String id;
    private volatile boolean asked;

    Cancel(DaemonAddress address, String id) {
      this.address = address;
      this.id = id;
    }

    void install() {
      for (String signal : new String[] {"INT", "TERM"}) {
        try {
          sun.misc.Signal.handle(new sun.misc.Signal(signal), new sun.misc.SignalHandler() {
            @Override
            public void handle(sun.misc.Signal received) {
              onSignal();
            }
          });
        } catch (IllegalArgumentException e) {
          // The JVM keeps this signal for itself (-Xrs): the default applies.
        }
      }
    }

    private void onSignal() {
      if (asked) {
        Runtime.getRuntime().halt(CANCELLED);
      }
      asked = true;
      try (UnixHttp.Response response = UnixHttp.request(address.socket(), "POST", "/v1/cli/" + id + "/cancel",
          "application/json", new byte[0])) {
        response.bodyText();
      } catch (IOException e) {
        Runtime.getRuntime().halt(CANCELLED);
      }
    }
  }
}
