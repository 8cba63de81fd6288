package dev.ignis.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ignis.runtime.cli.Cli;
import dev.ignis.runtime.config.SettingsLoader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The runtime as a test drives it: the assembled distribution, its own state and plugins
 * dirs, in process through {@link Cli} (fast) or as a process through {@code bin/runtime}.
 */
final class Ignis {

  /** The assembled installation, laid out as the tarball. */
  static final Path DIST = Path.of(System.getProperty("ignis.dist"));
  /** The example third-party plugin jar. */
  static final Path EXAMPLE_PLUGIN = Path.of(System.getProperty("ignis.example.plugin"));

  record Result(int status, String out, String err) {}

  final Path state;
  final Path plugins;
  private final Map<String, String> extraEnvironment = new java.util.HashMap<>();

  Ignis(Path workDir) throws IOException {
    this.state = Files.createDirectories(workDir.resolve("state"));
    this.plugins = Files.createDirectories(workDir.resolve("plugins"));
  }

  /** Installs the bundled plugins and the example one. */
  Ignis withAllPlugins() throws IOException {
    try (var jars = Files.list(DIST.resolve("plugins"))) {
      for (Path jar : jars.toList()) {
        Files.copy(jar, plugins.resolve(jar.getFileName()));
      }
    }
    Files.copy(EXAMPLE_PLUGIN, plugins.resolve("sandbox-only.jar"));
    return this;
  }

  /** Sets an environment variable for every later command (plugin settings, for example). */
  Ignis withEnv(String name, String value) {
    extraEnvironment.put(name, value);
    return this;
  }

  Map<String, String> environment() {
    Map<String, String> environment = new java.util.HashMap<>(extraEnvironment);
    environment.put("IGNIS_STATE_DIR", state.toString());
    environment.put("IGNIS_PLUGINS_DIR", plugins.toString());
    environment.put("IGNIS_CONFIG", state.resolve("no-config").toString());
    environment.putIfAbsent("IGNIS_IMAGES_DIR", System.getProperty("ignis.images"));
    // bin/runtime runs commands in its own process unless a test asks for ignisd (DaemonIT).
    environment.putIfAbsent("IGNIS_DAEMON", "off");
    return environment;
  }

  Result run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = new Cli(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
        new SettingsLoader(environment(), Optional.of(DIST))).run(args);
    return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  /** Runs a command and expects it to succeed; returns its standard output. */
  String ok(String... args) {
    Result result = run(args);
    assertThat(result.status()).as("runtime %s: %s", String.join(" ", args), result.err()).isZero();
    return result.out();
  }

  /** Runs {@code bin/runtime} of the distribution as a process. */
  Result launch(String... args) throws IOException, InterruptedException {
    Process process = spawn(args);
    assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("bin/runtime finished").isTrue();
    return new Result(process.exitValue(), Files.readString(state.resolve("launch.out")),
        Files.readString(state.resolve("launch.err")));
  }

  /** Starts {@code bin/runtime} of the distribution as a process and returns at once; output goes to launch.out/err. */
  Process spawn(String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(DIST.resolve("bin/runtime").toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().putAll(environment());
    builder.redirectOutput(state.resolve("launch.out").toFile()).redirectError(state.resolve("launch.err").toFile());
    return builder.start();
  }

  /** Removes every VM of this state dir and reclaims what is left; for @AfterEach. */
  void cleanUp() {
    Result listing = run("ps", "-a", "-o", "json");
    for (String line : listing.out().lines().toList()) {
      String trimmed = line.strip();
      if (trimmed.startsWith("\"id\": ")) {
        run("rm", "-f", trimmed.substring(7, 23));
      }
    }
    run("gc");
  }

  /** Runs a host command and returns its output; fails the test if it fails. */
  static String sh(String... command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor()).as("%s: %s", String.join(" ", command), output).isZero();
    return output;
  }

  /** Kills every process whose command line names {@code dir} (a test's daemons, agents, QEMUs) and waits for them. */
  static void killProcessesNaming(Path dir) {
    ProcessHandle.allProcesses()
        .filter(p -> p.info().commandLine().map(line -> line.contains(dir.toString())).orElse(false))
        .forEach(p -> {
          p.destroyForcibly();
          p.onExit().join();
        });
  }

  static boolean netnsExists(String name) {
    return Files.exists(Path.of("/run/netns", name));
  }
}
