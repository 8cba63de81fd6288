package dev.ignis.runtime.netns;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.ignis.runtime.config.Settings;
import dev.ignis.spi.CommandRunner;

/** Wires the sandbox namespaces, journalled in {@code <state>/netns}. */
public final class NetnsModule extends AbstractModule {

  @Provides
  @Singleton
  NetworkNamespaces networkNamespaces(CommandRunner commands, Settings settings) {
    return new NetworkNamespaces(commands, settings.stateDir().resolve("netns"));
  }
}
