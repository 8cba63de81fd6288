package dev.ignis.runtime.plugin;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.name.Named;
import dev.ignis.runtime.RuntimeModule;
import dev.ignis.runtime.config.Settings;
import dev.ignis.spi.CommandRunner;
import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import java.io.PrintStream;
import java.util.function.Supplier;

/**
 * Wires the plugins of the plugins dir: the dir is read on first use (a {@code Supplier<Plugins>}),
 * and a plugin's jar loaded when the plugin is.
 */
public final class PluginModule extends AbstractModule {

  @Provides
  @Singleton
  Supplier<Plugins> plugins(Settings settings, CommandRunner commands, @Named(RuntimeModule.USER_ERR) PrintStream err,
      PluginJobs jobs) {
    return new LazyPlugins(() -> {
      var dir = settings.pluginsDir().orElseThrow(() -> new IgnisException(ErrorCode.NOT_FOUND,
          "no plugins dir is configured; pass --plugins-dir DIR or set IGNIS_PLUGINS_DIR"));
      return new PluginDirectory(dir, BundledPlugins.of(settings.installDir()),
          id -> new DefaultPluginContext(id, settings, commands, err, jobs)).scan(line -> err.println("warning: " + line));
    });
  }

  /** Loads the plugins once, on the first call. */
  private static final class LazyPlugins implements Supplier<Plugins> {
    private final Supplier<Plugins> loader;
    private Plugins plugins;

    LazyPlugins(Supplier<Plugins> loader) {
      this.loader = loader;
    }

    @Override
    public synchronized Plugins get() {
      if (plugins == null) {
        plugins = loader.get();
      }
      return plugins;
    }
  }
}
