package dev.ignis.runtime.image.oci;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.ignis.runtime.config.Settings;
import dev.ignis.spi.CommandRunner;

/** Wires the image store and its importer. */
public final class OciModule extends AbstractModule {

  @Provides
  @Singleton
  OciImages images(Settings settings) {
    return new OciImages(settings.stateDir());
  }

  @Provides
  @Singleton
  ImageImporter importer(OciImages images, CommandRunner commands, Settings settings) {
    return new ImageImporter(images, commands, new DockerEngine(settings.environment()));
  }
}
