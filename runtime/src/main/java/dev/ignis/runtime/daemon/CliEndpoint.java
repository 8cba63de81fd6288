package dev.ignis.runtime.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.inject.Inject;
import com.google.inject.Singleton;
import dev.ignis.runtime.cli.Cli;
import dev.ignis.runtime.cli.CliSession;
import dev.ignis.runtime.client.BuildId;
import dev.ignis.runtime.client.CliFrames;
import dev.ignis.runtime.config.Settings;
import dev.ignis.runtime.config.SettingsLoader;
import dev.ignis.runtime.daemon.http.Exchange;
import dev.ignis.runtime.stdio.RoutedStdio;
import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code POST /v1/cli}: runs a command line for a client exactly as {@code runtime} would in a
 * process of its own (the same {@link Cli}), with the client's settings environment, working
 * directory and terminal, its output streamed back as {@link CliFrames}. {@code POST
 * /v1/cli/{id}/cancel} (the client's Ctrl-C) interrupts the command, which rolls back what it
 * did; so does a client that goes away.
 */
@Singleton
final class CliEndpoint {

  /** The exit status of a cancelled command, as shells report SIGINT. */
  static final int CANCELLED = 130;

  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(CliEndpoint.class);

  private final ResidentServices services;
  private final Settings settings;
  private final Map<String, Thread> running = new ConcurrentHashMap<>();
  private final Set<String> cancelled = ConcurrentHashMap.newKeySet();
  private final AtomicLong commands = new AtomicLong();
  private final String build = BuildId.current();

  @Inject
  CliEndpoint(ResidentServices services, Settings settings) {
    this.services = services;
    this.settings = settings;
  }

  /** How many commands run now. */
  int running() {
    return running.size();
  }

  void run(Exchange exchange) throws IOException {
    String clientBuild = exchange.request().header(BuildId.HEADER);
    if (!clientBuild.isEmpty() && !build.isEmpty() && !clientBuild.equals(build)) {
      // The installation was upgraded under this daemon: the client restarts it rather than
      // have old code run the command.
      Json.respond(exchange, 409, Map.of("restart", "build", "error", Map.of("status", 409, "message",
          "ignisd runs build " + build + " of the runtime, the client " + clientBuild)));
      return;
    }
    Request request = Request.of(Json.body(exchange));
    if (running.containsKey(request.id)) {
      throw new IgnisException(ErrorCode.ALREADY_EXISTS, "a command with id " + request.id + " runs already");
    }
    CommandStream stream = new CommandStream();
    PrintStream out = stream.printStream(CliFrames.STDOUT);
    PrintStream err = stream.printStream(CliFrames.STDERR);
    AtomicInteger status = new AtomicInteger(125);
    Thread command = new Thread(() -> {
      try (RoutedStdio.Scope scope = RoutedStdio.bind(new RoutedStdio.Target(out, err, request.verbose()))) {
        Cli cli = new Cli(out, err, new SettingsLoader(request.environment, settings.installDir()),
            new CliSession(request.workingDir, request.terminal, true, services));
        status.set(cli.run(request.args.toArray(String[]::new)));
      } catch (RuntimeException | Error e) {
        log.error("command {} failed outside its error handling", request.args, e);
        err.println("error: internal error in ignisd: " + e + " (see its log)");
      } finally {
        out.flush();
        err.flush();
        stream.end();
      }
    }, "ignisd-cmd-" + commands.incrementAndGet());
    OutputStream socket = exchange.stream(200, CliFrames.MEDIA_TYPE);
    running.put(request.id, command);
    log.debug("command {}: {}", request.id, request.args);
    command.start();
    try {
      boolean clientThere = stream.pump(socket, command, () -> {
        log.info("the client of command {} went away; cancelling it", request.args);
        cancel(request.id);
      });
      command.join();
      if (clientThere) {
        CliFrames.writeExit(socket, cancelled.contains(request.id) ? CANCELLED : status.get());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      running.remove(request.id);
      cancelled.remove(request.id);
    }
  }

  /** {@code POST /v1/cli/{id}/cancel}. */
  void cancel(Exchange exchange, String id) throws IOException {
    if (!cancel(id)) {
      throw new IgnisException(ErrorCode.NOT_FOUND, "no command with id " + id + " runs");
    }
    Json.respond(exchange, 202, Map.of("cancelled", id));
  }

  private boolean cancel(String id) {
    Thread command = running.get(id);
    if (command == null) {
      return false;
    }
    // Once: a Ctrl-C reaches here twice (the client's cancel, then its connection closing), and
    // a second interrupt would cut short the rollback the first one started.
    if (cancelled.add(id)) {
      command.interrupt();
    }
    return true;
  }

  /** Asks every running command to stop (the daemon is stopping). */
  void cancelAll() {
    running.keySet().forEach(this::cancel);
  }

  /** The body of {@code POST /v1/cli}. */
  private record Request(String id, List<String> args, Map<String, String> environment, Path workingDir,
      boolean terminal) {

    static Request of(JsonNode body) {
      String id = body.path("id").asText("");
      if (!id.matches("[A-Za-z0-9-]{1,64}")) {
        throw invalid("id must be 1 to 64 letters, digits or dashes");
      }
      List<String> args = new ArrayList<>();
      for (JsonNode arg : body.path("args")) {
        if (!arg.isTextual()) {
          throw invalid("args must be an array of strings");
        }
        args.add(arg.asText());
      }
      Map<String, String> environment = new LinkedHashMap<>();
      body.path("env").fields().forEachRemaining(entry -> {
        if (!entry.getValue().isTextual()) {
          throw invalid("env must map names to strings");
        }
        environment.put(entry.getKey(), entry.getValue().asText());
      });
      String cwd = body.path("cwd").asText("");
      if (!cwd.startsWith("/")) {
        throw invalid("cwd must be an absolute path");
      }
      return new Request(id, args, environment, Path.of(cwd), body.path("terminal").asBoolean(false));
    }

    boolean verbose() {
      return args.contains("-v") || args.contains("--verbose");
    }

    private static IgnisException invalid(String what) {
      return new IgnisException(ErrorCode.INVALID_ARGUMENT, "bad command request: " + what);
    }
  }
}
