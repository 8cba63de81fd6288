package dev.ignis.runtime;

import com.google.inject.AbstractModule;
import com.google.inject.Singleton;
import com.google.inject.name.Names;
import dev.ignis.runtime.config.Settings;
import dev.ignis.runtime.exec.ProcessCommandRunner;
import dev.ignis.runtime.guest.GuestModule;
import dev.ignis.runtime.netns.NetnsModule;
import dev.ignis.runtime.plugin.PluginJobs;
import dev.ignis.runtime.plugin.PluginModule;
import dev.ignis.runtime.vm.VmModule;
import dev.ignis.spi.CommandRunner;
import java.io.PrintStream;
import java.time.Clock;

/**
 * Wires the runtime for its settings: what every feature shares (settings, the user's error
 * stream, the command runner, the clock) and one module per feature. Services are made on
 * first use, so commands that need no plugins ({@code ps}, {@code inspect}) do not load them.
 */
public final class RuntimeModule extends AbstractModule {

  /** The name of the {@link PrintStream} that reaches the user (notes, warnings of plugins and image builds). */
  public static final String USER_ERR = "user-err";

  private final Settings settings;
  private final PrintStream err;
  private final PluginJobs jobs;

  /** The runtime of a command in a process of its own: plugins run no jobs of their own in it. */
  public RuntimeModule(Settings settings, PrintStream err) {
    this(settings, err, PluginJobs.none());
  }

  /** The runtime with the jobs of plugins in it (ignisd's). */
  public RuntimeModule(Settings settings, PrintStream err, PluginJobs jobs) {
    this.settings = settings;
    this.err = err;
    this.jobs = jobs;
  }

  @Override
  protected void configure() {
    bind(Settings.class).toInstance(settings);
    bind(PrintStream.class).annotatedWith(Names.named(USER_ERR)).toInstance(err);
    bind(CommandRunner.class).to(ProcessCommandRunner.class).in(Singleton.class);
    bind(Clock.class).toInstance(Clock.systemUTC());
    bind(PluginJobs.class).toInstance(jobs);
    install(new NetnsModule());
    install(new PluginModule());
    install(new GuestModule());
    install(new VmModule());
  }
}
