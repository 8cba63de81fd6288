package dev.ignis.runtime.plugin;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
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
import org.pf4j.PluginWrapper;
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
    // Else an optional Plugin-Dependency anywhere makes PF4J demand @Extension annotations,
    // which ServiceLoader-style plugins do not carry.
    finder.setCheckForExtensionDependencies(false);
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

    /**
     * Reads only the NetworkPlugin service file of each plugin jar. PF4J's own reading lists
     * the META-INF/services directory entry, which jars written without directory entries
     * lack, and would also pick up the jar's unrelated services.
     */
    @Override
    public Map<String, Set<String>> readPluginsStorages() {
      Map<String, Set<String>> result = new LinkedHashMap<>();
      for (PluginWrapper plugin : pluginManager.getPlugins()) {
        Set<String> classNames = new LinkedHashSet<>();
        if (plugin.getPluginClassLoader() instanceof URLClassLoader loader) {
          URL serviceFile = loader.findResource(PluginJar.SERVICE_FILE);
          if (serviceFile != null) {
            classNames.addAll(readServiceFile(serviceFile));
          }
        }
        result.put(plugin.getPluginId(), classNames);
      }
      return result;
    }

    /** The provider class names of a service file: one per line, '#' starts a comment. */
    private static List<String> readServiceFile(URL url) {
      try (InputStream in = url.openStream()) {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
            .map(line -> line.replaceFirst("#.*", "").strip())
            .filter(line -> !line.isEmpty())
            .toList();
      } catch (IOException e) {
        return List.of();
      }
    }
  }
}
