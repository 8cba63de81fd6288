package dev.ignis.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.inject.Injector;
import com.google.inject.Key;
import com.google.inject.TypeLiteral;
import dev.ignis.runtime.cli.CliSession;
import dev.ignis.runtime.config.Settings;
import dev.ignis.runtime.plugin.Plugins;
import dev.ignis.runtime.vm.VmGarbageCollector;
import dev.ignis.runtime.vm.VmLifecycle;
import dev.ignis.runtime.vm.VmStore;
import dev.ignis.spi.IgnisException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The feature modules wire every service by its constructor, once, and load no plugin until asked. */
class RuntimeModuleTest {

  @TempDir Path state;

  @Test
  void everyServiceIsWiredOnce_andThePluginsOnlyOnFirstUse() {
    Settings settings = new Settings(state, Optional.empty(), "cni", state.resolve("images"), Optional.empty(),
        Map.of(), Map.of(), false);
    Injector injector = CliSession.wire(settings, new PrintStream(PrintStream.nullOutputStream()));
    VmLifecycle lifecycle = injector.getInstance(VmLifecycle.class);
    assertThat(injector.getInstance(VmLifecycle.class)).isSameAs(lifecycle);
    assertThat(injector.getInstance(VmGarbageCollector.class)).isSameAs(injector.getInstance(VmGarbageCollector.class));
    assertThat(injector.getInstance(VmStore.class).list().vms()).isEmpty();
    Supplier<Plugins> plugins = injector.getInstance(Key.get(new TypeLiteral<Supplier<Plugins>>() {}));
    assertThatThrownBy(plugins::get).as("loaded only now, and there is no plugins dir")
        .isInstanceOf(IgnisException.class).hasMessageContaining("no plugins dir is configured");
  }
}
