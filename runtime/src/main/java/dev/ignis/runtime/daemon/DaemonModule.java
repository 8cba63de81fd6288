package dev.ignis.runtime.daemon;

import com.google.inject.AbstractModule;

/**
 * Wires ignisd's own services (router, endpoints, supervisor, events) by their constructors,
 * on top of the runtime's ({@link dev.ignis.runtime.RuntimeModule}).
 */
final class DaemonModule extends AbstractModule {

  private final DaemonLife life;

  DaemonModule(DaemonLife life) {
    this.life = life;
  }

  @Override
  protected void configure() {
    bind(DaemonLife.class).toInstance(life);
  }
}
