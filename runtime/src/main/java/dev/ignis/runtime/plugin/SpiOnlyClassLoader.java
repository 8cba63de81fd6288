package dev.ignis.runtime.plugin;

import java.io.IOException;
import java.net.URL;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;

/**
 * The parent of every plugin class loader: it shows plugins the JDK, the SPI, SLF4J and PF4J,
 * and nothing else of the runtime. A plugin thus cannot depend on runtime internals or on the
 * runtime's copies of libraries by accident; it bundles what it needs.
 */
final class SpiOnlyClassLoader extends ClassLoader {

  private static final List<String> SHARED_PACKAGES = List.of("dev.ignis.spi.", "org.slf4j.", "org.pf4j.");

  private final ClassLoader application;

  SpiOnlyClassLoader(ClassLoader application) {
    super("ignis-spi-only", ClassLoader.getPlatformClassLoader());
    this.application = application;
  }

  @Override
  protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
    if (isShared(name)) {
      return application.loadClass(name);
    }
    return super.loadClass(name, resolve);
  }

  @Override
  public URL getResource(String name) {
    return isShared(name.replace('/', '.')) ? application.getResource(name) : super.getResource(name);
  }

  @Override
  public Enumeration<URL> getResources(String name) throws IOException {
    return isShared(name.replace('/', '.')) ? application.getResources(name) : Collections.emptyEnumeration();
  }

  private static boolean isShared(String name) {
    return SHARED_PACKAGES.stream().anyMatch(name::startsWith);
  }
}
