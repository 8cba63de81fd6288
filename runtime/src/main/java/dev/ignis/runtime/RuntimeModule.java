package dev.ignis.runtime;

import com.google.inject.AbstractModule;
import com.google.inject.Injector;
import com.google.inject.Key;
import com.google.inject.ProvisionException;
import com.google.inject.Singleton;
import com.google.inject.name.Names;
import com.google.inject.spi.Message;
import dev.ignis.runtime.config.Settings;
import dev.ignis.runtime.exec.ProcessCommandRunner;
import dev.ignis.runtime.guest.GuestModule;
import dev.ignis.runtime.netns.NetnsModule;
import dev.ignis.runtime.plugin.PluginJobs;
import dev.ignis.runtime.plugin.PluginModule;
import dev.ignis.runtime.vm.VmModule;
import dev.ignis.spi.CommandRunner;
import dev.ignis.spi.IgnisException;
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

  /**
   * The service bound to {@code key}. A setting that a provider finds wrong fails as the {@link
   * IgnisException} it throws (one line for the user), not inside Guice's report of the binding
   * chain.
   */
  public static <T> T instance(Injector injector, Key<T> key) {
    try {
      return injector.getInstance(key);
    } catch (ProvisionException e) {
      for (Message message : e.getErrorMessages()) {
        for (Throwable cause = message.getCause(); cause != null; cause = cause.getCause()) {
          if (cause instanceof IgnisException ignis) {
            throw ignis;
          }
        }
      }
      throw e;
    }
  }

  /** The service of this type; see {@link #instance(Injector, Key)}. */
  public static <T> T instance(Injector injector, Class<T> type) {
    return instance(injector, Key.get(type));
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
    install(new dev.ignis.runtime.image.oci.OciModule());
    install(new dev.ignis.runtime.image.kernel.KernelModule());
  }
}
