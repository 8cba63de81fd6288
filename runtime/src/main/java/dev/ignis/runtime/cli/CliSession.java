package dev.ignis.runtime.cli;

import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Stage;
import dev.ignis.runtime.RuntimeModule;
import dev.ignis.runtime.config.Settings;
import dev.ignis.runtime.plugin.PluginJobs;
import java.io.PrintStream;
import java.nio.file.Path;

/**
 * Where a command runs: the caller's working directory (relative paths in arguments are
 * resolved against it), whether its standard error is a terminal (progress lines), and where
 * its runtime services come from. In a process of its own ({@link #thisProcess}) a command
 * wires them afresh; in ignisd it shares the daemon's resident ones.
 *
 * @param workingDir the caller's working directory, absolute
 * @param terminal whether the caller's standard error is a terminal
 * @param shared whether the process runs other commands at the same time (ignisd): a command
 *     must then not change process-wide state such as the log level
 * @param services the runtime's services for a command's settings
 */
public record CliSession(Path workingDir, boolean terminal, boolean shared, Services services) {

  /** The runtime's services (an injector of {@link RuntimeModule}) for the settings of one command. */
  @FunctionalInterface
  public interface Services {
    Injector forSettings(Settings settings, PrintStream err);
  }

  public CliSession {
    workingDir = workingDir.toAbsolutePath().normalize();
  }

  /** A command in a process of its own: this process's directory and terminal, services wired per command. */
  public static CliSession thisProcess() {
    return new CliSession(Path.of(""), System.console() != null, false, CliSession::wire);
  }

  /** A fresh injector for one command. */
  public static Injector wire(Settings settings, PrintStream err) {
    return wire(settings, err, PluginJobs.none());
  }

  /** A fresh injector for one command whose plugins run their jobs in {@code jobs}. */
  public static Injector wire(Settings settings, PrintStream err, PluginJobs jobs) {
    return Guice.createInjector(guiceStage(), new RuntimeModule(settings, err, jobs));
  }

  /**
   * Guice as the runtime uses it, set before any injector is made: no stack trace per binding
   * and no generated classes (both cost start-up time and serve only debugging of modules; and
   * class generation calls sun.misc.Unsafe, which JDK 24+ warns about).
   */
  public static Stage guiceStage() {
    System.setProperty("guice_include_stack_traces", "OFF");
    System.setProperty("guice_bytecode_gen_option", "DISABLED");
    return Stage.DEVELOPMENT;
  }

  /** A path argument as the caller meant it: relative ones against the caller's directory. */
  public Path resolve(String path) {
    return workingDir.resolve(path).normalize();
  }
}
