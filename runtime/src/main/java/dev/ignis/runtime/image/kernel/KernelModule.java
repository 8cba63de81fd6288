package dev.ignis.runtime.image.kernel;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.ignis.runtime.config.Settings;
import dev.ignis.spi.CommandRunner;

/** Wires the kernel store and its importer. */
public final class KernelModule extends AbstractModule {

  @Provides
  @Singleton
  Kernels kernels(Settings settings) {
    return new Kernels(settings.stateDir());
  }

  @Provides
  @Singleton
  KernelImporter importer(Kernels kernels, CommandRunner commands) {
    return new KernelImporter(kernels, commands);
  }
}
