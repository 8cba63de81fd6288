package dev.ignis.plugin.flannel;

import dev.ignis.spi.CommandRunner;
import dev.ignis.spi.IgnisException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The node agent, flanneld's job for one node: it holds this node's subnet lease in etcd (24 h
 * TTL, renewed at a third of it), watches the other nodes' leases and programs the data plane
 * from them, and resynchronises every few seconds, so that it recovers by itself when etcd
 * restarts (the data plane keeps forwarding meanwhile). One thread does all of it; the watch has
 * one more, reading its stream.
 *
 * <p>It runs as a job of ignisd ({@link Agent}), or where no resident runtime runs as a process
 * of its own ({@code main} takes the plugin's state dir). Either way it holds the node's {@link
 * AgentLock} while it runs and writes its log to {@code agent.log}. Interrupting its thread
 * stops it (also the udp backend's forwarding); the data plane's devices and routes stay.
 */
public final class NodeAgent implements Runnable {

  /** flanneld's lease TTL, the default of the {@code lease-ttl} setting. */
  static final Duration LEASE_TTL = Duration.ofHours(24);
  static final String HEARTBEAT = "agent.heartbeat";
  private static final long RESYNC_SECONDS = 5;
  private static final Duration FULL_RESYNC = Duration.ofSeconds(60);

  private final Path stateDir;
  private final Consumer<String> logSink;
  private final boolean takeOver;
  private final CommandRunner commands = new LocalCommands();
  private final AtomicBoolean stopping = new AtomicBoolean();
  private final Semaphore wake = new Semaphore(0);
  /** Made once: the data plane outlives etcd sessions (the udp backend's forwarder holds the TUN device). */
  private DataPlane plane;
  private Map<Ipv4Net, SubnetLease.Attrs> applied; // null: nothing applied yet
  private long appliedAt;

  /**
   * @param log where its lines go (they carry a time stamp)
   * @param takeOver whether to stop an agent process of this node first (an agent of ignisd
   *     takes over from one started while no ignisd ran)
   */
  NodeAgent(Path stateDir, Consumer<String> log, boolean takeOver) {
    this.stateDir = stateDir;
    this.logSink = log;
    this.takeOver = takeOver;
  }

  /** The agent as a process of its own: its standard output is its log; SIGTERM stops it. */
  public static void main(String[] args) {
    NodeAgent agent = new NodeAgent(Path.of(args[0]), NodeAgent::print, false);
    Thread main = Thread.currentThread();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      main.interrupt();
      try {
        main.join(5000); // the lock and the udp forwarding are let go of in order
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }));
    agent.run();
  }

  @Override
  public void run() {
    if (takeOver) {
      new AgentProcess(stateDir).stop(); // a no-op unless one runs
    }
    Optional<AgentLock> lock;
    try {
      lock = AgentLock.take(stateDir, Duration.ofSeconds(3));
    } catch (IOException e) {
      log("cannot take " + stateDir.resolve(AgentLock.FILE) + ": " + e.getMessage() + "; exiting");
      return;
    } catch (InterruptedException e) {
      return;
    }
    if (lock.isEmpty()) {
      OptionalLong holder = AgentLock.holder(stateDir);
      log("another agent runs for " + stateDir + (holder.isPresent() ? " (" + AgentLock.describe(holder.getAsLong())
          + ")" : "") + "; exiting");
      return;
    }
    try (AgentLock held = lock.get()) {
      log("agent started for " + stateDir + " (" + AgentLock.describe(ProcessHandle.current().pid()) + ")");
      forgetPredecessorsSync();
      while (!stopping()) {
        NodeState node = NodeState.load(stateDir).orElse(null);
        if (node == null || node.subnet() == null) {
          log("no flannel node state in " + stateDir + "; exiting");
          return;
        }
        try {
          serve(node);
        } catch (IgnisException | IllegalStateException e) {
          if (!stopping()) {
            log("etcd session ended: " + e.getMessage() + "; retrying in 2 s");
            sleep(2);
          }
        }
      }
    } catch (IOException e) {
      log("cannot let go of " + stateDir.resolve(AgentLock.FILE) + ": " + e.getMessage());
    } finally {
      if (plane != null) {
        plane.close();
      }
      log("agent stopped");
    }
  }

  /** Whether it was asked to stop: its thread interrupted (a flag kept, as calls may clear the thread's). */
  private boolean stopping() {
    if (Thread.currentThread().isInterrupted()) {
      stopping.set(true);
    }
    return stopping.get();
  }

  /** One etcd session: lease, watch and resync until etcd fails or the agent stops. */
  private void serve(NodeState node) {
    try (EtcdStore etcd = EtcdStore.connect(node.endpoints(), node.etcdTls(stateDir), Duration.ofSeconds(5))) {
      FlannelConfig config = etcd.config().orElseThrow(() -> new IllegalStateException("etcd holds no network config"))
          .normalised();
      if (plane == null) {
        plane = DataPlane.of(config.backend().type(), config, node, commands, this::log); // kept: udp's forwarder
      }
      SubnetLease.Attrs mine = new SubnetLease.Attrs(node.publicIp(), config.backend().type(), plane.setUp());
      Ipv4Net wanted = Ipv4Net.parse(node.subnet());
      OwnLease.Holding holding = OwnLease.hold(etcd, config, wanted, mine, node.leaseTtl(), this::log);
      Ipv4Net subnet = holding.subnet();
      long lease = holding.leaseId();
      if (!subnet.equals(wanted)) {
        moveTo(node, wanted, subnet, config);
      }
      log("holding lease " + subnet + " (etcd lease " + Long.toHexString(lease) + ", TTL " + node.leaseTtl().toSeconds()
          + " s)");
      AtomicBoolean broken = new AtomicBoolean();
      long renewEvery = node.leaseTtl().toNanos() / 3; // as flanneld and etcd's own clients do
      long renewedAt = System.nanoTime();
      try (EtcdHttp.Stream watch = etcd.watchLeases(wake::release, e -> fail(broken, "watch", e))) {
        while (!stopping() && !broken.get()) {
          if (System.nanoTime() - renewedAt >= renewEvery) {
            renewedAt = System.nanoTime();
            if (!etcd.renew(lease)) {
              log("etcd lease " + Long.toHexString(lease) + " of " + subnet + " expired; holding the subnet again");
              broken.set(true);
              continue;
            }
          }
          Map<Ipv4Net, SubnetLease.Attrs> all = etcd.leases(this::log);
          if (!mine.equals(all.get(subnet))) {
            // Never written over: the next session claims it again if it is free, else leases another.
            log("own lease " + subnet + " missing or changed in etcd; holding it again if it is still ours");
            etcd.revoke(lease); // bound to nothing of ours any more
            broken.set(true);
            continue;
          }
          Map<Ipv4Net, SubnetLease.Attrs> others = new LinkedHashMap<>(all);
          others.remove(subnet);
          if (!others.equals(applied) || System.nanoTime() - appliedAt > FULL_RESYNC.toNanos()) {
            plane.reconcile(others); // also repairs what someone removed by hand, at the latest after FULL_RESYNC
            applied = others;
            appliedAt = System.nanoTime();
          }
          heartbeat();
          awaitWake(Math.min(TimeUnit.SECONDS.toNanos(RESYNC_SECONDS), renewEvery - (System.nanoTime() - renewedAt)));
        }
      }
    }
  }

  /** Points the node network at the subnet this node holds now, and records the move for status. */
  private void moveTo(NodeState node, Ipv4Net from, Ipv4Net to, FlannelConfig config) {
    NodeState moved = node.withSubnet(to);
    moved.save(stateDir);
    new NodeNetworkFiles(FlannelSettings.ofNode(moved, Duration.ofSeconds(10))).write(config, to, plane.mtu());
    SubnetMove move = new SubnetMove(from, to, Instant.now());
    try {
      move.save(stateDir);
    } catch (java.io.IOException e) {
      log("cannot write " + stateDir.resolve(SubnetMove.FILE) + ": " + e.getMessage());
    }
    log("subnet " + move.describe(move.staleVms(moved)));
  }

  private void fail(AtomicBoolean broken, String what, Throwable e) {
    if (!stopping.get() && !Thread.currentThread().isInterrupted()) {
      log(what + " failed: " + e.getMessage());
    }
    broken.set(true);
    wake.release();
  }

  private void awaitWake(long nanos) {
    try {
      if (wake.tryAcquire(Math.max(0, nanos), TimeUnit.NANOSECONDS)) {
        Thread.sleep(100); // let a burst of changes arrive
        wake.drainPermits();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stopping.set(true);
    }
  }

  private void sleep(long seconds) {
    try {
      Thread.sleep(seconds * 1000);
    } catch (InterruptedException e) {
      stopping.set(true);
    }
  }

  private void log(String line) {
    logSink.accept(Instant.now() + " " + line);
  }

  private static void print(String line) {
    System.out.println(line);
    System.out.flush();
  }

  /** A predecessor's heartbeat says nothing of this agent: status waits for this one's first sync. */
  private void forgetPredecessorsSync() {
    try {
      java.nio.file.Files.deleteIfExists(stateDir.resolve(HEARTBEAT));
    } catch (IOException e) {
      log("cannot delete " + stateDir.resolve(HEARTBEAT) + ": " + e.getMessage());
    }
  }

  /** Records when the agent last synchronised ({@value #HEARTBEAT}); {@code status} reports it. */
  private void heartbeat() {
    try {
      java.nio.file.Files.writeString(stateDir.resolve(HEARTBEAT), Instant.now().toString());
    } catch (java.io.IOException e) {
      log("cannot write " + stateDir.resolve(HEARTBEAT) + ": " + e.getMessage());
    }
  }
}
