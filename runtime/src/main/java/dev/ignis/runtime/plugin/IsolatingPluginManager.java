package dev.ignis.runtime.plugin;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.pf4j.ClassLoadingStrategy;
import org.pf4j.DefaultPluginManager;
import org.pf4j.ExtensionFinder;
import org.pf4j.JarPluginLoader;
import org.pf4j.PluginClassLoader;
import org.pf4j.PluginDescriptor;
import org.pf4j.PluginLoader;
import org.pf4j.PluginManager;
import org.pf4j.ServiceProviderExtensionFinder;

/**
 * PF4J set up the Ignis way: jar plugins only, each in its own class loader whose parent
 * shows only the SPI ({@link SpiOnlyClassLoader}), and extensions found through the standard
 * {@code META-INF/services} files of the plugin jars (never of the runtime's class path).
 */
final class IsolatingPluginManager extends DefaultPluginManager {

  IsolatingPluginManager(Path pluginsDir) {
    super(pluginsDir);
  }

  @Override
  protected PluginLoader createPluginLoader() {
    return new IsolatedJarLoader(this);
  }

  @Override
  protected ExtensionFinder createExtensionFinder() {
    ServiceProviderExtensionFinder finder = new PluginJarsOnlyFinder(this);
    addPluginStateListener(finder);
    return finder;
  }

  private static final class IsolatedJarLoader extends JarPluginLoader {
    private final ClassLoader parent = new SpiOnlyClassLoader(IsolatingPluginManager.class.getClassLoader());

    IsolatedJarLoader(PluginManager manager) {
      super(manager);
    }

    @Override
    public ClassLoader loadPlugin(Path pluginPath, PluginDescriptor descriptor) {
      PluginClassLoader loader = new PluginClassLoader(pluginManager, descriptor, parent, ClassLoadingStrategy.PDA);
      loader.addFile(pluginPath.toFile());
      return loader;
    }
  }

  private static final class PluginJarsOnlyFinder extends ServiceProviderExtensionFinder {
    PluginJarsOnlyFinder(PluginManager manager) {
      super(manager);
    }

    @Override
    public Map<String, Set<String>> readClasspathStorages() {
      // The runtime has no built-in plugins; reading every library's services would only
      // load unrelated classes.
      return Map.of();
    }
  }
}
