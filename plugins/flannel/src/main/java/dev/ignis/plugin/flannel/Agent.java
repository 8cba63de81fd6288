package dev.ignis.plugin.flannel;

import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import dev.ignis.spi.PluginContext;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * This node's {@link NodeAgent}, wherever it runs: a job of ignisd when the runtime is resident
 * (no second JVM; ignisd starts it again each time it starts, unless {@code bootstrap stop} said
 * not to), else a process of its own ({@link AgentProcess}). An agent of ignisd takes over from
 * an agent process started while no ignisd ran. Which one runs, and where, is told by its {@link
 * AgentLock}.
 */
final class Agent {

  /** The job's name in the resident runtime. */
  static final String JOB = "agent";
  /** Present while the node's agent is meant to stay stopped ({@code bootstrap stop}). */
  static final String STOPPED = "agent.stopped";
  private static final Duration GRACE = Duration.ofSeconds(10);
  /** How long a start waits for the agent's first synchronisation with etcd. */
  private static final Duration SYNC_PATIENCE = Duration.ofSeconds(10);

  private final Path stateDir;
  private final PluginContext context;

  Agent(Path stateDir, PluginContext context) {
    this.stateDir = stateDir;
    this.context = context;
  }

  /** Starts the agent unless one runs; says where it runs ("running, ...", "was running, ..."). */
  String start() {
    deleteQuietly(stateDir.resolve(STOPPED));
    OptionalLong running = AgentLock.holder(stateDir);
    boolean process = new AgentProcess(stateDir).running().isPresent();
    if (running.isPresent() && !process) {
      return "was running, " + AgentLock.describe(running.getAsLong());
    }
    Instant asked = Instant.now();
    if (context.startService(JOB, job())) {
      long pid = awaitHolder().orElseThrow(() -> new IgnisException(ErrorCode.PLUGIN_NOT_AVAILABLE, "the node agent did"
          + " not start in ignisd; its log " + log() + " says: " + new AgentProcess(stateDir).lastLogLines()));
      return (process ? "taken over from its own process, now " : "running, ") + AgentLock.describe(pid) + ", log "
          + log() + awaitSync(asked);
    }
    if (running.isPresent()) {
      return "was running, " + AgentLock.describe(running.getAsLong());
    }
    return "running, pid " + new AgentProcess(stateDir).start() + ", log " + log() + awaitSync(asked);
  }

  /**
   * Waits a little for the new agent's first synchronisation with etcd, after which its data
   * plane is programmed (the udp backend forwards only from then on); says if it has not yet.
   */
  private String awaitSync(Instant since) {
    long deadline = System.nanoTime() + SYNC_PATIENCE.toNanos();
    while (System.nanoTime() < deadline) {
      if (lastSync().filter(at -> !at.isBefore(since)).isPresent()) {
        return "";
      }
      pause(50);
    }
    return "; not synchronised with etcd yet (it keeps trying; see its log)";
  }

  /** When the agent last synchronised with etcd, from its heartbeat. */
  Optional<Instant> lastSync() {
    try {
      return Optional.of(Instant.parse(Files.readString(stateDir.resolve(NodeAgent.HEARTBEAT)).strip()));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** In a resident runtime, starts the agent again if the node has one and it was not stopped on purpose. */
  void resume() {
    boolean wanted = NodeState.load(stateDir).filter(node -> node.subnet() != null && !node.externalAgent()).isPresent()
        && !Files.exists(stateDir.resolve(STOPPED));
    if (wanted) {
      context.startService(JOB, job()); // false outside ignisd: nothing to do there
    }
  }

  /**
   * Stops the agent wherever it runs and waits until it has let go of the node; refused,
   * changing nothing, while it runs in an ignisd this command is not part of.
   *
   * @param stayStopped whether ignisd leaves it stopped when it starts again ({@code bootstrap stop})
   */
  void stop(boolean stayStopped) {
    refuseIfOutOfReach();
    context.stopService(JOB, GRACE);
    new AgentProcess(stateDir).stop();
    long deadline = System.nanoTime() + GRACE.toNanos();
    while (AgentLock.holder(stateDir).isPresent() && System.nanoTime() < deadline) {
      pause(100);
    }
    AgentLock.holder(stateDir).ifPresent(pid -> {
      throw new IgnisException(ErrorCode.TRY_AGAIN_LATER, "the node agent (" + AgentLock.describe(pid) + ") did not"
          + " stop within " + GRACE.toSeconds() + " s; see " + log());
    });
    if (stayStopped) {
      try {
        Files.writeString(stateDir.resolve(STOPPED), "bootstrap stop\n");
      } catch (IOException e) {
        throw new IgnisException(ErrorCode.IO_FAILURE, "cannot write " + stateDir.resolve(STOPPED) + ": "
            + e.getMessage(), e);
      }
    } else {
      deleteQuietly(stateDir.resolve(STOPPED));
    }
  }

  /** An agent in a running ignisd, asked from a command in a process of its own: not this command's to stop. */
  void refuseIfOutOfReach() {
    OptionalLong pid = AgentLock.holder(stateDir);
    if (pid.isEmpty() || pid.getAsLong() == ProcessHandle.current().pid()
        || new AgentProcess(stateDir).running().isPresent()) {
      return;
    }
    if (AgentLock.isIgnisd(pid.getAsLong())) {
      throw new IgnisException(ErrorCode.INVALID_STATE, "the node agent runs in ignisd (pid " + pid.getAsLong()
          + "), which this command, run in its own process, cannot stop; run it through ignisd (without"
          + " IGNIS_DAEMON=off), or stop ignisd first ('runtime daemon stop')");
    }
    throw new IgnisException(ErrorCode.INVALID_STATE, "the node agent runs as pid " + pid.getAsLong() + ", which is not"
        + " the agent process recorded in " + stateDir + "; stop it (kill " + pid.getAsLong() + ") and try again");
  }

  /** Where the agent runs, if it does. */
  Optional<String> running() {
    OptionalLong pid = AgentLock.holder(stateDir);
    return pid.isPresent() ? Optional.of(AgentLock.describe(pid.getAsLong())) : Optional.empty();
  }

  Path log() {
    return stateDir.resolve("agent.log");
  }

  private NodeAgent job() {
    Path log = log();
    return new NodeAgent(stateDir, line -> append(log, line), true);
  }

  /** The pid of the agent once it holds the node's lock (it takes it first thing). */
  private Optional<Long> awaitHolder() {
    long deadline = System.nanoTime() + 2 * GRACE.toNanos(); // a take-over first stops the agent process
    while (System.nanoTime() < deadline) {
      OptionalLong pid = AgentLock.holder(stateDir);
      if (pid.isPresent() && pid.getAsLong() == ProcessHandle.current().pid()) {
        return Optional.of(pid.getAsLong());
      }
      pause(50);
    }
    return Optional.empty();
  }

  private static void append(Path log, String line) {
    try {
      Files.writeString(log, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      System.err.println("flannel agent: cannot write " + log + ": " + e.getMessage() + "; " + line);
    }
  }

  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IgnisException(ErrorCode.TRY_AGAIN_LATER, "interrupted while waiting for the node agent");
    }
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      // Only a marker: ignisd would leave the agent stopped until the next 'bootstrap start'.
    }
  }
}
