package dev.ignis.runtime.plugin;

import dev.ignis.spi.AttachRequest;
import dev.ignis.spi.Attachment;
import dev.ignis.spi.BootstrapRequest;
import dev.ignis.spi.BootstrapResult;
import dev.ignis.spi.DetachReason;
import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.GcRequest;
import dev.ignis.spi.IgnisException;
import dev.ignis.spi.NetInterface;
import dev.ignis.spi.NetworkPlugin;
import dev.ignis.spi.PluginContext;
import dev.ignis.spi.PortMapping;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import dev.ignis.runtime.stdio.RoutedStdio;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * A plugin as the runtime calls it: whatever a plugin throws is a failure of that plugin, said
 * in one line that names it (a bug in a plugin must not look like one of the runtime's, exit
 * 125); {@code attach}, {@code detach} and {@code mapPorts} give up after the plugin's
 * {@code call-timeout} (seconds, {@value #DEFAULT_TIMEOUT_SECONDS} by default); and what
 * {@code attach} returns is checked, and undone if the guest could not use it.
 */
final class GuardedPlugin implements NetworkPlugin {

  static final int DEFAULT_TIMEOUT_SECONDS = 300;
  /** How long a call interrupted at its timeout may take to end before it is left behind. */
  private static final Duration GRACE = Duration.ofSeconds(5);

  private static final ExecutorService CALLS = Executors.newCachedThreadPool(task -> {
    Thread thread = new Thread(task, "plugin-call");
    thread.setDaemon(true); // a plugin that never returns must not keep the process alive
    return thread;
  });

  private final NetworkPlugin plugin;
  private Duration timeout = Duration.ofSeconds(DEFAULT_TIMEOUT_SECONDS);
  /** The timed calls running now: operation, and when it began (nanoTime). */
  private final Map<Long, Call> inFlight = new ConcurrentHashMap<>();
  private final AtomicLong callIds = new AtomicLong();

  private record Call(String operation, long startNanos) {}

  /** Whether the plugin reads {@link AttachRequest#network} (SPI 2.2); else a choice is refused for it. */
  private final boolean readsNetworkChoice;

  GuardedPlugin(NetworkPlugin plugin, boolean readsNetworkChoice) {
    this.plugin = plugin;
    this.readsNetworkChoice = readsNetworkChoice;
  }

  /** A plugin that would not see the VM's choice of network must not be handed one. */
  private void checkNetworkChoice(AttachRequest request) {
    if (!readsNetworkChoice && !request.network().isEmpty()) {
      throw new IgnisException(ErrorCode.NOT_SUPPORTED, "network plugin '" + id() + "' offers no choice of network"
          + " (it reads none: its jar allows SPIs before 2.2); use --network " + id() + " without ':"
          + request.network() + "'");
    }
  }

  /** The plugin itself. */
  NetworkPlugin delegate() {
    return plugin;
  }

  @Override
  public String id() {
    return plugin.id();
  }

  @Override
  public String description() {
    return guard("description", plugin::description);
  }

  @Override
  public boolean bringsOwnSandbox() {
    return guard("bringsOwnSandbox", plugin::bringsOwnSandbox);
  }

  @Override
  public void init(PluginContext context) {
    String seconds = context == null ? String.valueOf(DEFAULT_TIMEOUT_SECONDS)
        : context.setting("call-timeout").orElse(String.valueOf(DEFAULT_TIMEOUT_SECONDS));
    if (!seconds.matches("\\d{1,5}") || Integer.parseInt(seconds) == 0) {
      throw new IgnisException(ErrorCode.INVALID_ARGUMENT, "setting plugin." + id() + ".call-timeout '" + seconds
          + "' is not a number of seconds from 1 to 99999");
    }
    timeout = Duration.ofSeconds(Integer.parseInt(seconds));
    guard("init", () -> {
      plugin.init(context);
      return null;
    });
  }

  @Override
  public BootstrapResult bootstrap(BootstrapRequest request) {
    return guard("bootstrap", () -> plugin.bootstrap(request));
  }

  @Override
  public void validate(AttachRequest request) {
    checkNetworkChoice(request);
    guard("validate", () -> {
      plugin.validate(request);
      return null;
    });
  }

  @Override
  public Attachment attach(AttachRequest request) {
    checkNetworkChoice(request);
    Attachment attachment = timed("attach", () -> plugin.attach(request));
    String problem = unusable(attachment, request);
    if (problem != null) {
      if (attachment != null) {
        try {
          detach(attachment, DetachReason.STOP);
        } catch (IgnisException undo) {
          IgnisException failure = failure("attach", problem);
          failure.addSuppressed(undo);
          throw failure;
        }
      }
      throw failure("attach", problem);
    }
    return attachment;
  }

  /** Why the guest could not use what attach returned, or null if it can. */
  private String unusable(Attachment attachment, AttachRequest request) {
    if (attachment == null) {
      return "it returned no attachment";
    }
    if (!attachment.pluginId().equals(id()) || !attachment.vm().equals(request.vm())) {
      return "it returned the attachment of " + attachment.pluginId() + "/" + attachment.vm() + " for VM "
          + request.vm();
    }
    if (attachment.guestInterface().isEmpty()) {
      return "it named no interface for the guest (Attachment.guestInterface)";
    }
    Optional<NetInterface> nic = attachment.guestNic();
    if (nic.isEmpty() || nic.get().sandbox().isEmpty() || nic.get().name().equals("lo")) {
      return "the guest interface '" + attachment.guestInterface() + "' it named is not an interface of the sandbox"
          + " it returned (loopback cannot be one)";
    }
    if (!request.ports().isEmpty() && nic.get().ips().isEmpty()) {
      return "ports are wanted, but it gave the guest interface no address to forward them to";
    }
    return null;
  }

  @Override
  public List<PortMapping> mapPorts(Attachment attachment, List<PortMapping> wanted) {
    return timed("mapPorts", () -> plugin.mapPorts(attachment, wanted));
  }

  @Override
  public void detach(Attachment attachment, DetachReason reason) {
    timed("detach", () -> {
      plugin.detach(attachment, reason);
      return null;
    });
  }

  @Override
  public void check(Attachment attachment) {
    timed("check", () -> {
      plugin.check(attachment);
      return null;
    });
  }

  @Override
  public boolean isIntact(Attachment attachment) {
    return timed("isIntact", () -> plugin.isIntact(attachment));
  }

  @Override
  public List<String> gc(GcRequest request) {
    return guard("gc", () -> plugin.gc(request));
  }

  /** The call on this thread; anything but an {@link IgnisException} becomes a plugin failure. */
  private <T> T guard(String operation, Supplier<T> call) {
    try {
      return call.get();
    } catch (IgnisException e) {
      throw e;
    } catch (RuntimeException | LinkageError e) {
      throw failure(operation, "it threw " + e + " (a bug in the plugin; run with -v for the stack trace)", e);
    }
  }

  /**
   * The longest timed call running now for at least {@code atLeast}, as "network plugin 'cni'
   * (attach, 12 s)", for progress shown while the runtime waits.
   */
  Optional<String> waitingOn(Duration atLeast) {
    long now = System.nanoTime();
    return inFlight.values().stream().filter(c -> now - c.startNanos() >= atLeast.toNanos())
        .min(java.util.Comparator.comparingLong(Call::startNanos))
        .map(c -> "network plugin '" + id() + "' (" + c.operation() + ", " + (now - c.startNanos()) / 1_000_000_000
            + " s of at most " + timeout.toSeconds() + " s)");
  }

  /** The call on a thread of its own, given up after the timeout (interrupted, then left behind). */
  private <T> T timed(String operation, Supplier<T> call) {
    long callId = callIds.incrementAndGet();
    inFlight.put(callId, new Call(operation, System.nanoTime()));
    try {
      return timedCall(operation, call);
    } finally {
      inFlight.remove(callId);
    }
  }

  private <T> T timedCall(String operation, Supplier<T> call) {
    CountDownLatch ended = new CountDownLatch(1);
    Future<T> future = CALLS.submit(RoutedStdio.propagating(() -> {
      try {
        return guard(operation, call);
      } finally {
        ended.countDown();
      }
    }));
    try {
      return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      future.cancel(true);
      awaitEnd(ended);
      throw new IgnisException(ErrorCode.TRY_AGAIN_LATER, "network plugin '" + id() + "' did not finish " + operation
          + " within " + timeout.toSeconds() + " s (setting plugin." + id() + ".call-timeout); gave up on it");
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw failure(operation, "it threw " + e.getCause(), e.getCause());
    } catch (InterruptedException e) {
      // Cancelled: the call is interrupted too and given its grace to end, so that the
      // caller's rollback does not race a call still changing the host.
      future.cancel(true);
      awaitEnd(ended);
      Thread.currentThread().interrupt();
      throw new IgnisException(ErrorCode.TRY_AGAIN_LATER, "interrupted while network plugin '" + id() + "' ran "
          + operation, e);
    }
  }

  /** Waits up to the grace period for an interrupted call to return; either way the runtime goes on. */
  private static void awaitEnd(CountDownLatch ended) {
    boolean interrupted = Thread.interrupted();
    try {
      ended.await(GRACE.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException again) {
      interrupted = true;
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private IgnisException failure(String operation, String problem) {
    return new IgnisException(ErrorCode.PLUGIN_FAILED, "network plugin '" + id() + "' failed (" + operation + "): "
        + problem);
  }

  private IgnisException failure(String operation, String problem, Throwable cause) {
    return new IgnisException(ErrorCode.PLUGIN_FAILED, "network plugin '" + id() + "' failed (" + operation + "): "
        + problem, cause);
  }
}
