package dev.ignis.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The ignisd of a test's state dir, driven from outside: commands through the thin client
 * ({@code bin/runtime} with {@code IGNIS_DAEMON=on}), the API through the real curl on the
 * socket, the daemon's pid for kill -9.
 */
final class TestDaemon {

  record Answer(int status, String body) {}

  private final Ignis ignis;
  private final Path installation;

  TestDaemon(Ignis ignis) {
    this(ignis, Ignis.DIST);
  }

  /** The daemon as started by the client of another installation (a copy the test may change). */
  TestDaemon(Ignis ignis, Path installation) {
    this.ignis = ignis;
    this.installation = installation;
  }

  Path socket() {
    return ignis.state.resolve("daemon/ignisd.sock");
  }

  /** A command through ignisd (started on demand). */
  Ignis.Result client(String... args) throws IOException, InterruptedException {
    return launch(Map.of("IGNIS_DAEMON", "on"), args);
  }

  /** The same command in the client's own process. */
  Ignis.Result inProcess(String... args) throws IOException, InterruptedException {
    return launch(Map.of("IGNIS_DAEMON", "off"), args);
  }

  /** A command through ignisd that must succeed; its standard output. */
  String ok(String... args) throws IOException, InterruptedException {
    Ignis.Result result = client(args);
    assertThat(result.status()).as("runtime %s through ignisd: %s", String.join(" ", args), result.err()).isZero();
    return result.out();
  }

  Ignis.Result launch(Map<String, String> env, String... args) throws IOException, InterruptedException {
    Process process = spawn(env, args);
    assertThat(process.waitFor(180, TimeUnit.SECONDS)).as("bin/runtime %s finished", List.of(args)).isTrue();
    return new Ignis.Result(process.exitValue(), read(process.getInputStream()), read(process.getErrorStream()));
  }

  Process spawn(Map<String, String> env, String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(installation.resolve("bin/runtime").toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().putAll(ignis.environment());
    builder.environment().putAll(env);
    return builder.start();
  }

  private static String read(java.io.InputStream in) throws IOException {
    return new String(in.readAllBytes(), StandardCharsets.UTF_8);
  }

  /** The running daemon's pid (from its status), or -1. */
  long pid() throws IOException, InterruptedException {
    Path pidFile = ignis.state.resolve("daemon/ignisd.pid");
    if (!Files.exists(pidFile)) {
      return -1;
    }
    long pid = Long.parseLong(Files.readString(pidFile).strip());
    return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) ? pid : -1;
  }

  /** kill -9 of the daemon; waits until it is gone. */
  void kill9() throws IOException, InterruptedException {
    long pid = pid();
    assertThat(pid).as("a running ignisd").isPositive();
    ProcessHandle handle = ProcessHandle.of(pid).orElseThrow();
    Ignis.sh("kill", "-9", String.valueOf(pid));
    handle.onExit().join();
  }

  /** An API call with curl; body may be null. */
  Answer curl(String method, String path, String body) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("curl", "-sS", "--max-time", "120", "--unix-socket",
        socket().toString(), "-X", method, "-w", "\n%{http_code}"));
    if (body != null) {
      command.addAll(List.of("-H", "Content-Type: application/json", "--data-binary", body));
    }
    command.add("http://ignisd" + path);
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = read(process.getInputStream());
    assertThat(process.waitFor()).as("curl %s %s: %s", method, path, output).isZero();
    int newline = output.lastIndexOf('\n');
    return new Answer(Integer.parseInt(output.substring(newline + 1).strip()), output.substring(0, newline));
  }

  /** Stops the daemon if one runs (for @AfterEach: VMs stay, the test removes them). */
  void stop() throws IOException, InterruptedException {
    if (pid() > 0) {
      launch(Map.of(), "daemon", "stop");
    }
  }
}
