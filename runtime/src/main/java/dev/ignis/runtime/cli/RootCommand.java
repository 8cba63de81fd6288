package dev.ignis.runtime.cli;

import com.google.inject.Injector;
import com.google.inject.Key;
import com.google.inject.TypeLiteral;
import dev.ignis.runtime.RuntimeModule;
import dev.ignis.runtime.config.Settings;
import dev.ignis.runtime.config.SettingsLoader;
import dev.ignis.runtime.plugin.Plugins;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code runtime}: the root command, holding the global options. */
@Command(
    name = "runtime",
    mixinStandardHelpOptions = true,
    versionProvider = VersionCommand.Provider.class,
    usageHelpAutoWidth = true,
    description = "Boots microVMs and gives them networks through plugins.",
    synopsisSubcommandLabel = "COMMAND",
    footerHeading = "%n",
    footer = {
      "Environment: IGNIS_STATE_DIR, IGNIS_PLUGINS_DIR, IGNIS_NETWORK_PLUGIN, IGNIS_CONFIG (default"
          + " /etc/ignis/ignis.properties).",
      "Exit status: 0 ok, 2 usage, 100 bad input, 101 not found, 102 conflicts with the current state,"
          + " 103 host or service not ready, 104 plugin failed, 125 internal error."
    })
final class RootCommand implements Callable<Integer> {

  @Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--network-plugin", paramLabel = "ID",
      description = "Network plugin for the VM (run, create, start, bootstrap); default: cni or the"
          + " network.plugin setting. See 'runtime plugins'.")
  String networkPlugin;

  @Option(names = "--state-dir", paramLabel = "DIR",
      description = "Where VM records and plugin state live (default /var/lib/ignis).")
  Path stateDir;

  @Option(names = "--plugins-dir", paramLabel = "DIR",
      description = "Where plugin jars are found (default <install>/plugins).")
  Path pluginsDir;

  @Option(names = {"-v", "--verbose"}, description = "Show debug logs and stack traces.")
  boolean verbose;

  final PrintStream out;
  final PrintStream err;
  final CliSession session;
  private final SettingsLoader settingsLoader;
  private Injector injector;
  private Settings settings;

  RootCommand(PrintStream out, PrintStream err, SettingsLoader settingsLoader, CliSession session) {
    this.out = out;
    this.err = err;
    this.settingsLoader = settingsLoader;
    this.session = session;
  }

  @Override
  public Integer call() {
    spec.commandLine().usage(out);
    return Cli.USAGE;
  }

  boolean verbose() {
    return verbose;
  }

  /** The settings of this invocation, resolved once. */
  Settings settings() {
    if (settings == null) {
      if (verbose && !session.shared()) {
        Logging.enableDebug();
      }
      settings = settingsLoader.load(stateDir, pluginsDir, verbose);
    }
    return settings;
  }

  /** A runtime service, wired on first use. */
  <T> T service(Class<T> type) {
    return RuntimeModule.instance(injector(), type);
  }

  /** The plugins of the plugins dir, loaded on first use. */
  Plugins plugins() {
    return RuntimeModule.instance(injector(), Key.get(new TypeLiteral<Supplier<Plugins>>() {})).get();
  }

  private Injector injector() {
    if (injector == null) {
      injector = session.services().forSettings(settings(), err);
    }
    return injector;
  }

  /** Progress of a long command on the caller's terminal, naming what it waits on. */
  Progress progress(String what) {
    return Progress.of(err, what, session.terminal(), plugins()::waitingOn, progressDelayMillis());
  }

  /** {@code IGNIS_PROGRESS_DELAY_MS} or {@code progress.delay-ms}: how long before progress shows. */
  private long progressDelayMillis() {
    String value = settings().environment().getOrDefault("IGNIS_PROGRESS_DELAY_MS",
        settings().properties().getOrDefault("progress.delay-ms", ""));
    try {
      return value.isBlank() ? Progress.DEFAULT_DELAY_MILLIS : Math.max(0, Long.parseLong(value.strip()));
    } catch (NumberFormatException e) {
      throw new dev.ignis.spi.IgnisException(dev.ignis.spi.ErrorCode.INVALID_ARGUMENT, "progress delay '" + value + "' is not a"
          + " number of milliseconds; set IGNIS_PROGRESS_DELAY_MS or progress.delay-ms to one, such as 1000");
    }
  }

  /** The plugin named on a subcommand, else on the root command, if any. */
  Optional<String> pluginChoice(String fromSubcommand) {
    return Optional.ofNullable(fromSubcommand).or(() -> Optional.ofNullable(networkPlugin));
  }
}
