package dev.ignis.runtime.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ignis.runtime.client.DaemonAddress;
import dev.ignis.runtime.client.DaemonStarter;
import dev.ignis.runtime.client.UnixHttp;
import dev.ignis.runtime.format.Mappers;
import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code runtime daemon status|start|stop}: the state dir's ignisd. Always runs in the client's process. */
@Command(name = "daemon", mixinStandardHelpOptions = true,
    description = {"Show, start or stop the ignisd of the state dir.",
        "Commands go through ignisd, started on demand; with IGNIS_DAEMON=off they run in the runtime's own process."
            + " Stopping ignisd leaves VMs running; the next one adopts them."})
final class DaemonCommand implements Callable<Integer> {

  enum Action { STATUS, START, STOP }

  /** How long {@code stop} waits for the daemon to exit (its commands get 30 s to roll back). */
  private static final Duration STOP_WAIT = Duration.ofSeconds(40);

  @ParentCommand RootCommand root;
  @Mixin OutputOption output;

  @Parameters(paramLabel = "ACTION", description = "status, start or stop.")
  Action action;

  @Override
  public Integer call() throws IOException {
    DaemonAddress address = new DaemonAddress(root.settings().stateDir());
    return switch (action) {
      case STATUS -> status(address);
      case START -> start(address);
      case STOP -> stop(address);
    };
  }

  private int status(DaemonAddress address) throws IOException {
    Optional<JsonNode> status = get(address, "/v1/daemon");
    if (!output.isTable()) {
      Map<String, Object> document = new LinkedHashMap<>();
      document.put("running", status.isPresent());
      document.put("daemon", status.orElse(null)); // the key stays: null while none runs
      output.print(root.out, document);
    } else if (status.isEmpty()) {
      root.out.println("ignisd: not running for " + address.stateDir());
    } else {
      JsonNode node = status.get();
      root.out.println("ignisd: running, pid " + node.path("pid").asLong() + ", version " + node.path("version").asText()
          + ", up " + node.path("uptimeSeconds").asLong() + " s");
      root.out.println("state dir: " + node.path("stateDir").asText());
      root.out.println("socket: " + node.path("socket").asText());
      root.out.println("log: " + node.path("log").asText());
      root.out.println("commands running: " + node.path("commandsRunning").asInt());
      java.util.List<String> jobs = new java.util.ArrayList<>();
      node.path("pluginJobs").forEach(job -> jobs.add(job.asText()));
      root.out.println("plugin jobs: " + (jobs.isEmpty() ? "none" : String.join(", ", jobs)));
      root.out.println("memory (RSS): " + node.path("rssKiB").asLong() / 1024 + " MiB");
    }
    return 0;
  }

  private int start(DaemonAddress address) throws IOException {
    Optional<Path> home = root.settings().installDir();
    if (home.isEmpty()) {
      throw new IgnisException(ErrorCode.NOT_SUPPORTED, "ignisd starts from an installation (bin/ignisd); this runtime"
          + " does not run from one");
    }
    Optional<SocketChannel> channel = DaemonStarter.connectOrStart(address, home.get(), root.verbose());
    if (channel.isEmpty()) {
      throw new IgnisException(ErrorCode.INVALID_ENVIRONMENT, "ignisd did not start for " + address.stateDir() + "; see "
          + address.log());
    }
    channel.get().close();
    return status(address);
  }

  private int stop(DaemonAddress address) throws IOException {
    Optional<JsonNode> status = get(address, "/v1/daemon");
    if (status.isEmpty()) {
      root.err.println("note: ignisd is not running for " + address.stateDir());
      return 0;
    }
    long pid = status.get().path("pid").asLong();
    try (UnixHttp.Response response = UnixHttp.request(address.socket(), "POST", "/v1/daemon/stop", "application/json",
        new byte[0])) {
      response.bodyText();
    }
    Optional<ProcessHandle> process = ProcessHandle.of(pid);
    long deadline = System.nanoTime() + STOP_WAIT.toNanos();
    while (process.map(ProcessHandle::isAlive).orElse(false) && System.nanoTime() < deadline) {
      sleep();
    }
    if (process.map(ProcessHandle::isAlive).orElse(false)) {
      throw new IgnisException(ErrorCode.TRY_AGAIN_LATER, "ignisd (pid " + pid + ") did not stop within "
          + STOP_WAIT.toSeconds() + " s; see " + address.log());
    }
    root.out.println("ignisd (pid " + pid + ") stopped; VMs keep running");
    return 0;
  }

  private static Optional<JsonNode> get(DaemonAddress address, String path) throws IOException {
    Optional<SocketChannel> channel = DaemonStarter.connect(address);
    if (channel.isEmpty()) {
      return Optional.empty();
    }
    try (UnixHttp.Response response = UnixHttp.exchange(channel.get(), "GET", path, null, null)) {
      String body = response.bodyText();
      if (response.status() == 403) {
        throw new IgnisException(ErrorCode.INVALID_ENVIRONMENT, "ignisd refused this user; run as its owner or root");
      }
      return Optional.of(Mappers.json().readTree(body));
    }
  }

  private static void sleep() {
    try {
      Thread.sleep(50);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IgnisException(ErrorCode.TRY_AGAIN_LATER, "interrupted");
    }
  }
}
