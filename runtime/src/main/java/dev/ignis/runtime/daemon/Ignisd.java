package dev.ignis.runtime.daemon;

import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Key;
import com.google.inject.TypeLiteral;
import dev.ignis.runtime.RuntimeModule;
import dev.ignis.runtime.cli.Cli;
import dev.ignis.runtime.client.ClientEnvironment;
import dev.ignis.runtime.client.DaemonAddress;
import dev.ignis.runtime.config.Settings;
import dev.ignis.runtime.config.SettingsLoader;
import dev.ignis.runtime.daemon.http.UnixHttpServer;
import dev.ignis.runtime.plugin.PluginJobs;
import dev.ignis.runtime.plugin.Plugins;
import dev.ignis.runtime.stdio.RoutedStdio;
import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * {@code ignisd}: the resident runtime of one state dir. Owns the loaded plugins, the VM store
 * and lifecycle and the supervision of the VMs' QEMUs; serves the command line of the thin
 * {@code runtime} client and the HTTP API on its Unix socket. Stopping it (SIGTERM, {@code
 * runtime daemon stop}) cancels the commands in flight, which roll back; VMs keep running and
 * the next ignisd adopts them.
 */
public final class Ignisd {

  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Ignisd.class);

  /** How long commands cancelled at a stop get to roll back before the daemon exits anyway. */
  private static final long STOP_GRACE_SECONDS = 30;
  /** How long plugins' jobs get to end when the daemon stops. */
  private static final java.time.Duration JOBS_GRACE = java.time.Duration.ofSeconds(10);

  private Ignisd() {}

  public static void main(String[] args) {
    RoutedStdio.install();
    DebugPerCommand.install();
    try {
      System.exit(run(args));
    } catch (IgnisException e) {
      System.err.println("error: " + e.getMessage());
      System.exit(Cli.exitStatus(e.code()));
    }
  }

  private static int run(String[] args) throws IgnisException {
    Path stateDirFlag = null;
    boolean verbose = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--state-dir" -> {
          if (i + 1 == args.length) {
            throw usage("--state-dir needs a directory");
          }
          stateDirFlag = Path.of(args[++i]);
        }
        case "-v", "--verbose" -> verbose = true;
        default -> throw usage("unknown argument '" + args[i] + "'");
      }
    }
    Optional<Path> home = Optional.ofNullable(System.getProperty(SettingsLoader.HOME_PROPERTY)).map(Path::of);
    Settings settings = new SettingsLoader(ClientEnvironment.relevant(System.getenv()), home)
        .load(stateDirFlag, null, false);
    DaemonAddress address = new DaemonAddress(settings.stateDir());
    if (!address.socketPathFits()) {
      throw new IgnisException(ErrorCode.INVALID_ARGUMENT, "the socket path " + address.socket() + " is longer than "
          + DaemonAddress.MAX_SOCKET_PATH + " bytes; use a shorter state dir");
    }
    DaemonAccess access = DaemonAccess.of(settings);
    try (DaemonLock lock = DaemonLock.take(address, access)) {
      if (lock == null) {
        System.err.println("note: an ignisd runs already for " + settings.stateDir());
        return 0;
      }
      return serve(settings, address, access, verbose);
    }
  }

  private static int serve(Settings settings, DaemonAddress address, DaemonAccess access, boolean verbose) {
    dev.ignis.runtime.cli.LogConfigurator.setLevel(verbose ? "" : "dev.ignis.runtime.daemon", verbose ? "DEBUG" : "INFO");
    DaemonLife life = new DaemonLife(address, dev.ignis.runtime.config.RuntimeVersion.current());
    PluginJobs jobs = PluginJobs.resident();
    Injector injector = Guice.createInjector(dev.ignis.runtime.cli.CliSession.guiceStage(),
        new RuntimeModule(settings, System.err, jobs), new DaemonModule(life));
    Supervisor supervisor = RuntimeModule.instance(injector, Supervisor.class);
    int running = supervisor.start();
    CliEndpoint cli = RuntimeModule.instance(injector, CliEndpoint.class);
    try (UnixHttpServer server = UnixHttpServer.bind(address.socket(), access.socketMode(), access::allows,
        RuntimeModule.instance(injector, ApiRouter.class))) {
      access.applyGroup(address.socket());
      server.start();
      Runtime.getRuntime().addShutdownHook(new Thread(() -> life.stopAndWait("signal", STOP_GRACE_SECONDS + 5),
          "ignisd-stop"));
      log.info("ignisd {} (pid {}) serves {} on {}; {} VM(s) running, supervised", life.version(),
          ProcessHandle.current().pid(), settings.stateDir(), address.socket(), running);
      preloadPlugins(injector);
      while (!life.stopping()) {
        TimeUnit.SECONDS.sleep(1);
        if (!Files.exists(address.socket())) {
          life.requestStop("its socket " + address.socket() + " is gone");
        }
      }
      server.close();
      cli.cancelAll();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(STOP_GRACE_SECONDS);
      while (cli.running() > 0 && System.nanoTime() < deadline) {
        TimeUnit.MILLISECONDS.sleep(50);
      }
      supervisor.stop();
      jobs.stopAll(JOBS_GRACE);
      log.info("ignisd stopped; {} command(s) still running were left", cli.running());
      life.finished();
      return 0;
    } catch (java.io.IOException e) {
      throw new IgnisException(ErrorCode.IO_FAILURE, "cannot listen on " + address.socket() + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 0;
    }
  }

  /**
   * Loads and initialises every plugin in the background, so that the first command that needs
   * one does not wait, and a plugin whose node needs a job of its own (flannel's agent) starts it.
   */
  private static void preloadPlugins(Injector injector) {
    Thread thread = new Thread(null, () -> {
      Plugins plugins;
      java.util.List<String> ids;
      try {
        plugins = injector.getInstance(Key.get(new TypeLiteral<Supplier<Plugins>>() {})).get();
        ids = plugins.ids(); // loads every jar
      } catch (RuntimeException e) {
        log.warn("cannot load the plugins: {}", e.getMessage());
        return;
      }
      for (String id : ids) {
        try {
          plugins.get(id);
        } catch (RuntimeException e) {
          log.warn("cannot initialise plugin {}: {}", id, e.getMessage());
        }
      }
    }, "ignisd-preload", 0, false);
    thread.setDaemon(true);
    thread.start();
  }

  private static IgnisException usage(String problem) {
    return new IgnisException(ErrorCode.INVALID_ARGUMENT, problem + "; usage: ignisd [--state-dir DIR] [-v]");
  }
}
