package dev.ignis.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Docker daemon of a test's own: Debian's dockerd with its own socket, data-root, exec-root
 * and {@code --bip} subnet, running in a network namespace of its own, so that its bridge,
 * iptables rules (and the FORWARD policy DROP it sets) and port mappings stay out of the host's
 * network; never the host's default daemon. Its containers' netns files lie under the
 * exec-root, in the host's mount namespace, where the runtime boots VMs into them. Stopped by
 * its pid; everything it made goes with the namespace and the work dir.
 */
final class TestDocker implements AutoCloseable {

  private static final SecureRandom RANDOM = new SecureRandom();

  final String netns;
  final String prefix; // "10.x.y."
  final Path socket;
  private final Path root;
  private final Process daemon;

  private TestDocker(Path work) throws Exception {
    String suffix = Integer.toHexString(0x100000 + RANDOM.nextInt(0xeffff));
    netns = "ignis-it-docker-" + suffix;
    prefix = "10." + (150 + RANDOM.nextInt(90)) + "." + RANDOM.nextInt(256) + ".";
    root = Files.createDirectories(work.resolve("docker"));
    socket = root.resolve("docker.sock");
    Ignis.sh("ip", "netns", "add", netns);
    Ignis.sh("ip", "-n", netns, "link", "set", "lo", "up");
    daemon = new ProcessBuilder("nsenter", "--net=/run/netns/" + netns, "--", "dockerd",
        "--host", "unix://" + socket, "--data-root", root.resolve("data").toString(),
        "--exec-root", root.resolve("exec").toString(), "--pidfile", root.resolve("dockerd.pid").toString(),
        "--bip", gateway() + "/24", "--dns", gateway(), "--log-level", "warn")
        .redirectErrorStream(true).redirectOutput(root.resolve("dockerd.log").toFile()).start();
  }

  /** Starts a daemon and waits until it answers. */
  static TestDocker start(Path work) throws Exception {
    TestDocker docker = new TestDocker(work);
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (docker.docker("version").status() != 0) {
        assertThat(docker.daemon.isAlive()).as("dockerd runs: %s", docker.log()).isTrue();
        assertThat(System.nanoTime()).as("dockerd ready within 60 s: %s", docker.log()).isLessThan(deadline);
        Thread.sleep(200);
      }
      return docker;
    } catch (Throwable e) {
      docker.close();
      throw e;
    }
  }

  String host() {
    return "unix://" + socket;
  }

  String gateway() {
    return prefix + "1";
  }

  /** Points the runtime's docker-bridge plugin at this daemon. */
  Ignis configure(Ignis ignis) {
    return ignis.withEnv("IGNIS_PLUGIN_DOCKER_BRIDGE_HOST", host());
  }

  record Output(int status, String text) {}

  /** Runs the docker CLI against this daemon. */
  Output docker(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("docker", "-H", host()));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String text = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    return new Output(process.waitFor(), text);
  }

  /** The names of every container, running or not. */
  List<String> containers() throws IOException, InterruptedException {
    Output output = docker("ps", "-a", "--format", "{{.Names}}");
    assertThat(output.status()).as(output.text()).isZero();
    return output.text().lines().filter(l -> !l.isBlank()).toList();
  }

  /** GET http://127.0.0.1:port/path from inside the daemon's netns, where Docker publishes ports. */
  String fetch(int port, String path) throws IOException, InterruptedException {
    return NetnsHttp.get(netns, "127.0.0.1", port, path);
  }

  /** Listens on a TCP port inside the daemon's netns until closed, as another program would. */
  Process listen(int port) throws IOException, InterruptedException {
    Process listener = new ProcessBuilder("nsenter", "--net=/run/netns/" + netns, "--", "busybox", "nc", "-l", "-p",
        String.valueOf(port)).redirectErrorStream(true).start();
    for (int attempt = 0; attempt < 50; attempt++) {
      Process check = new ProcessBuilder("nsenter", "--net=/run/netns/" + netns, "--", "ss", "-Hltn",
          "sport = :" + port).redirectErrorStream(true).start();
      if (!new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8).isBlank()) {
        check.waitFor();
        return listener;
      }
      check.waitFor();
      Thread.sleep(50);
    }
    throw new AssertionError("no listener on port " + port);
  }

  String log() {
    try {
      return Files.readString(root.resolve("dockerd.log"));
    } catch (IOException e) {
      return "(no log)";
    }
  }

  /** Removes every container, stops the daemon by its pid, unmounts what it left and removes its netns. */
  @Override
  public void close() throws Exception {
    try {
      if (daemon.isAlive()) {
        Output all = docker("ps", "-aq");
        if (all.status() == 0 && !all.text().isBlank()) {
          List<String> remove = new ArrayList<>(List.of("rm", "-f"));
          remove.addAll(all.text().lines().toList());
          docker(remove.toArray(String[]::new));
        }
        daemon.destroy(); // SIGTERM to nsenter's exec'd dockerd: a clean shutdown, containerd with it
        if (!daemon.waitFor(30, TimeUnit.SECONDS)) {
          daemon.destroyForcibly().waitFor();
        }
      }
      Ignis.killProcessesNaming(root);
      unmountLeftovers();
    } finally {
      new ProcessBuilder("ip", "netns", "delete", netns).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
    }
  }

  private void unmountLeftovers() throws IOException, InterruptedException {
    List<String> mounts = Files.readAllLines(Path.of("/proc/self/mounts")).stream()
        .map(line -> line.split(" ")[1]).filter(point -> point.startsWith(root.toString()))
        .sorted(Comparator.reverseOrder()).toList();
    for (String point : mounts) {
      new ProcessBuilder("umount", "-l", point).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
    }
  }
}
