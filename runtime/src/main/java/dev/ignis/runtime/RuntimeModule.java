package dev.ignis.runtime;

import com.google.inject.AbstractModule;
import com.google.inject.Singleton;
import com.google.inject.name.Names;
import dev.ignis.runtime.config.Settings;
import dev.ignis.runtime.exec.ProcessCommandRunner;
import dev.ignis.runtime.guest.GuestModule;
import dev.ignis.runtime.netns.NetnsModule;
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

  public RuntimeModule(Settings settings, PrintStream err) {
    this.settings = settings;
    this.err = err;
  }

  @Override
  protected void configure() {
    bind(Settings.class).toInstance(settings);
    bind(PrintStream.class).annotatedWith(Names.named(USER_ERR)).toInstance(err);
    bind(CommandRunner.class).to(ProcessCommandRunner.class).in(Singleton.class);
    bind(Clock.class).toInstance(Clock.systemUTC());
    install(new NetnsModule());
    install(new PluginModule());
    install(new GuestModule());
    install(new VmModule());
  }
}
