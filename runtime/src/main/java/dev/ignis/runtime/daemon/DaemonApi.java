package dev.ignis.runtime.daemon;

import com.google.inject.Inject;
import com.google.inject.Singleton;
import dev.ignis.runtime.daemon.http.Exchange;
import dev.ignis.runtime.plugin.PluginJobs;
import dev.ignis.runtime.plugin.Plugins;
import dev.ignis.spi.SpiVersion;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** The daemon's own resources: version, status, stop, plugins and the event stream. */
@Singleton
final class DaemonApi {

  /** The API version this daemon serves, under {@code /v1}. */
  static final String API_VERSION = "1";

  private final DaemonLife life;
  private final CliEndpoint cli;
  private final Supplier<Plugins> plugins;
  private final VmEvents events;
  private final PluginJobs jobs;

  @Inject
  DaemonApi(DaemonLife life, CliEndpoint cli, Supplier<Plugins> plugins, VmEvents events, PluginJobs jobs) {
    this.life = life;
    this.cli = cli;
    this.plugins = plugins;
    this.events = events;
    this.jobs = jobs;
  }

  /** {@code GET /v1/version}. */
  void version(Exchange exchange) throws IOException {
    Map<String, String> version = new LinkedHashMap<>();
    version.put("version", life.version());
    version.put("apiVersion", API_VERSION);
    version.put("spiVersion", SpiVersion.CURRENT);
    version.put("java", System.getProperty("java.vm.name") + " " + Runtime.version());
    Json.respond(exchange, 200, version);
  }

  /** {@code GET /v1/daemon}: who runs, since when, for which state dir, how big. */
  void status(Exchange exchange) throws IOException {
    Map<String, Object> status = new LinkedHashMap<>();
    status.put("pid", ProcessHandle.current().pid());
    status.put("version", life.version());
    status.put("stateDir", life.address().stateDir().toString());
    status.put("socket", life.address().socket().toString());
    status.put("log", life.address().log().toString());
    status.put("startedAt", life.startedAt());
    status.put("uptimeSeconds", java.time.Duration.between(life.startedAt(), Instant.now()).toSeconds());
    status.put("commandsRunning", cli.running());
    status.put("pluginJobs", jobs.names());
    status.put("rssKiB", rssKiB());
    Json.respond(exchange, 200, status);
  }

  /** {@code POST /v1/daemon/stop}: answers, then stops; running VMs keep running. */
  void stop(Exchange exchange) throws IOException {
    Json.respond(exchange, 202, Map.of("stopping", ProcessHandle.current().pid()));
    life.requestStop("asked to by " + exchange.peer().user().getName());
  }

  /** {@code GET /v1/plugins}: what {@code runtime plugins -o json} shows. */
  void plugins(Exchange exchange) throws IOException {
    Json.respond(exchange, 200, plugins.get().infos());
  }

  /**
   * {@code GET /v1/events}: one JSON object per line for every VM state change from now on,
   * until the client hangs up (a blank line every 10 s keeps idle connections honest).
   */
  void events(Exchange exchange) throws IOException {
    BlockingQueue<VmEvents.Event> queue = events.subscribe();
    try {
      OutputStream out = exchange.stream(200, "application/x-ndjson");
      while (!life.stopping()) {
        VmEvents.Event event = queue.poll(10, TimeUnit.SECONDS);
        out.write((event == null ? "\n" : Json.line(event)).getBytes(StandardCharsets.UTF_8));
        out.flush();
        if (event != null && event.type().equals("overflow")) {
          return;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      events.unsubscribe(queue);
    }
  }

  private static long rssKiB() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException | NumberFormatException e) {
      // Unknown: reported as -1.
    }
    return -1;
  }
}
