package dev.ignis.runtime.cli;

import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Key;
import com.google.inject.TypeLiteral;
import com.google.inject.Stage;
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
  private final SettingsLoader settingsLoader;
  private Injector injector;
  private Settings settings;

  RootCommand(PrintStream out, PrintStream err, SettingsLoader settingsLoader) {
    this.out = out;
    this.err = err;
    this.settingsLoader = settingsLoader;
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
      if (verbose) {
        Logging.enableDebug();
      }
      settings = settingsLoader.load(stateDir, pluginsDir, verbose);
    }
    return settings;
  }

  /** A runtime service, wired on first use. */
  <T> T service(Class<T> type) {
    return injector().getInstance(type);
  }

  /** The plugins of the plugins dir, loaded on first use. */
  Plugins plugins() {
    return injector().getInstance(Key.get(new TypeLiteral<Supplier<Plugins>>() {})).get();
  }

  private Injector injector() {
    if (injector == null) {
      // Guice's defaults record a stack trace per binding and generate classes: both cost a
      // short-lived command start-up time and serve only debugging of Guice modules.
      System.setProperty("guice_include_stack_traces", "OFF");
      System.setProperty("guice_bytecode_gen_option", "DISABLED");
      injector = Guice.createInjector(Stage.DEVELOPMENT, new RuntimeModule(settings(), err));
    }
    return injector;
  }

  /** The plugin named on a subcommand, else on the root command, if any. */
  Optional<String> pluginChoice(String fromSubcommand) {
    return Optional.ofNullable(fromSubcommand).or(() -> Optional.ofNullable(networkPlugin));
  }
}
