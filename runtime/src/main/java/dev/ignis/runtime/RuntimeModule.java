package dev.ignis.runtime;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.ignis.runtime.config.Settings;
import dev.ignis.runtime.exec.ProcessCommandRunner;
import dev.ignis.runtime.netns.NetworkNamespaces;
import dev.ignis.runtime.plugin.BundledPlugins;
import dev.ignis.runtime.plugin.DefaultPluginContext;
import dev.ignis.runtime.plugin.PluginDirectory;
import dev.ignis.runtime.plugin.Plugins;
import dev.ignis.runtime.guest.GuestDhcp;
import dev.ignis.runtime.guest.GuestLink;
import dev.ignis.runtime.hypervisor.AccelProbe;
import dev.ignis.runtime.hypervisor.Hypervisor;
import dev.ignis.runtime.hypervisor.QemuDriver;
import dev.ignis.runtime.image.ImageStore;
import dev.ignis.runtime.vm.HostPorts;
import dev.ignis.runtime.vm.VmGarbageCollector;
import dev.ignis.runtime.vm.VmGuest;
import dev.ignis.runtime.vm.VmLifecycle;
import dev.ignis.runtime.vm.VmStore;
import dev.ignis.spi.CommandRunner;
import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * Wires the runtime for one invocation. Plugins are loaded on first use only, so commands
 * that need none ({@code ps}, {@code inspect}) do not pay for them.
 */
public final class RuntimeModule extends AbstractModule {

  private final Settings settings;
  private final PrintStream err;

  public RuntimeModule(Settings settings, PrintStream err) {
    this.settings = settings;
    this.err = err;
  }

  @Override
  protected void configure() {
    bind(Settings.class).toInstance(settings);
    bind(CommandRunner.class).to(ProcessCommandRunner.class).in(Singleton.class);
    bind(Clock.class).toInstance(Clock.systemUTC());
  }

  @Provides
  @Singleton
  VmStore store() {
    return new VmStore(settings.vmsDir());
  }

  @Provides
  @Singleton
  NetworkNamespaces networkNamespaces(CommandRunner commands) {
    return new NetworkNamespaces(commands, settings.stateDir().resolve("netns"));
  }

  @Provides
  @Singleton
  Supplier<Plugins> plugins(CommandRunner commands) {
    return new LazyPlugins(() -> {
      var dir = settings.pluginsDir().orElseThrow(() -> new IgnisException(ErrorCode.NOT_FOUND,
          "no plugins dir is configured; pass --plugins-dir DIR or set IGNIS_PLUGINS_DIR"));
      Plugins plugins = new PluginDirectory(dir, BundledPlugins.of(settings.installDir()),
          id -> new DefaultPluginContext(id, settings, commands, err)).load();
      plugins.warnings().forEach(line -> err.println("warning: " + line));
      return plugins;
    });
  }

  @Provides
  @Singleton
  VmGuest guest(CommandRunner commands) {
    Hypervisor qemu = new QemuDriver(commands);
    ImageStore images = new ImageStore(settings.imagesDir(), settings.installDir(), commands, err);
    return new VmGuest(qemu, images, new AccelProbe(qemu, settings.imagesDir().resolve("accel-probe")),
        new GuestLink(commands), new GuestDhcp(commands), settings.vmsDir(), bootTimeout());
  }

  /** How long a guest may take to become ready: {@code boot.timeout} seconds, 120 by default (TCG is slow). */
  private Duration bootTimeout() {
    String value = settings.environment().getOrDefault("IGNIS_BOOT_TIMEOUT",
        settings.properties().getOrDefault("boot.timeout", "120"));
    if (!value.matches("\\d{1,4}")) {
      throw new IgnisException(ErrorCode.INVALID_ARGUMENT, "boot.timeout '" + value + "' is not a number of seconds");
    }
    return Duration.ofSeconds(Long.parseLong(value));
  }

  @Provides
  @Singleton
  VmLifecycle lifecycle(VmStore store, NetworkNamespaces netns, Supplier<Plugins> plugins, VmGuest guest,
      CommandRunner commands, Clock clock) {
    return new VmLifecycle(store, netns, plugins, guest, new HostPorts(commands, settings.stateDir()), clock);
  }

  @Provides
  @Singleton
  VmGarbageCollector garbageCollector(VmStore store, NetworkNamespaces netns, Supplier<Plugins> plugins,
      VmLifecycle lifecycle) {
    return new VmGarbageCollector(store, netns, plugins, lifecycle);
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
