package dev.ignis.runtime.plugin;

import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import dev.ignis.spi.NetworkPlugin;
import dev.ignis.spi.PluginContext;
import dev.ignis.spi.SpiVersion;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.pf4j.PluginState;

/**
 * Finds and loads the plugin jars of one directory.
 *
 * <p>Every {@code *.jar} is checked before PF4J sees it: a jar that is corrupt, lacks a
 * descriptor or needs another SPI version is skipped with one warning, and the others still
 * load. A plugin id belongs to one jar: where several claim it, the installation's bundled jar
 * wins ({@link BundledPlugins}), else the first by file name, and the others are skipped with a
 * warning naming both, so a dropped-in jar never takes over a bundled plugin (nor its state dir).
 */
public final class PluginDirectory {

  private final Path dir;
  private final BundledPlugins bundled;
  private final Function<String, PluginContext> contexts;

  /** A directory of plugin jars; {@code contexts} makes each plugin's context from its id. */
  public PluginDirectory(Path dir, Function<String, PluginContext> contexts) {
    this(dir, BundledPlugins.NONE, contexts);
  }

  /** The same, knowing which jars the installation ships. */
  public PluginDirectory(Path dir, BundledPlugins bundled, Function<String, PluginContext> contexts) {
    this.dir = dir;
    this.bundled = bundled;
    this.contexts = contexts;
  }

  /** Loads every usable plugin; throws only when the directory itself is unusable. */
  public Plugins load() {
    Plugins plugins = scan(line -> { });
    plugins.infos(); // loads them all
    return plugins;
  }

  /**
   * Reads every jar's descriptor and loads none yet: a plugin's jar (and those of the plugins
   * it depends on) is loaded when the plugin is first asked for, every jar when all are. A
   * command that uses one plugin loads one. {@code warn} gets one line per jar skipped, when
   * that is found out. Throws only when the directory itself is unusable.
   */
  public Plugins scan(java.util.function.Consumer<String> warn) {
    List<PluginInfo> infos = new ArrayList<>();
    List<PluginJar> readable = new ArrayList<>();
    for (Path jar : listJars()) {
      try {
        readable.add(PluginJar.read(jar));
      } catch (IgnisException e) {
        infos.add(PluginInfo.unreadable(jar, e.getMessage()));
      }
    }
    List<PluginJar> kept = oneJarPerId(readable, infos);
    IsolatingPluginManager pf4j = new IsolatingPluginManager(dir);
    pf4j.setSystemVersion(SpiVersion.CURRENT);
    return new Plugins(new JarLoader(dir, pf4j, kept, infos), contexts, warn);
  }

  /**
   * The jars to load, one per plugin id: of several claiming one id, the bundled one, else the
   * first by file name; the others go to {@code infos} as skipped, naming the one kept.
   */
  private List<PluginJar> oneJarPerId(List<PluginJar> jars, List<PluginInfo> infos) {
    Map<String, List<PluginJar>> byId = new LinkedHashMap<>();
    jars.forEach(jar -> byId.computeIfAbsent(jar.id(), id -> new ArrayList<>()).add(jar));
    List<PluginJar> kept = new ArrayList<>();
    for (List<PluginJar> claims : byId.values()) {
      PluginJar winner = claims.size() == 1 ? claims.get(0)
          : claims.stream().filter(jar -> bundled.isBundled(jar.jar())).findFirst().orElse(claims.get(0));
      boolean winnerIsBundled = claims.size() > 1 && bundled.isBundled(winner.jar());
      kept.add(winner);
      claims.stream().filter(jar -> jar != winner).forEach(jar -> infos.add(PluginInfo.skipped(jar, "plugin id '"
          + jar.id() + "' is also claimed by " + winner.jar().getFileName()
          + (winnerIsBundled ? ", the plugin this installation ships" : ", which comes first by file name")
          + "; remove one of the two jars")));
    }
    return new ArrayList<>(jars.stream().filter(kept::contains).toList());
  }

  /** Loads one checked jar; returns why it was skipped, or empty when it started. */
  static String loadOne(IsolatingPluginManager pf4j, PluginJar jar, Map<String, NetworkPlugin> loaded) {
    String incompatibility = checkSpiRange(pf4j, jar.requires());
    if (!incompatibility.isEmpty()) {
      return incompatibility;
    }
    String pluginId = null;
    try {
      pluginId = pf4j.loadPlugin(jar.jar());
      if (pf4j.startPlugin(pluginId) != PluginState.STARTED) {
        return unload(pf4j, pluginId, "PF4J could not start it (state " + pf4j.getPlugin(pluginId).getPluginState() + ")");
      }
      List<NetworkPlugin> found = pf4j.getExtensions(NetworkPlugin.class, pluginId);
      if (found.size() != 1) {
        return unload(pf4j, pluginId, "it provides " + found.size() + " network plugins; a jar must provide exactly one");
      }
      NetworkPlugin plugin = found.get(0);
      if (!jar.id().equals(plugin.id())) {
        return unload(pf4j, pluginId, "its NetworkPlugin.id() is '" + plugin.id() + "' but its Plugin-Id is '" + jar.id()
            + "'; they must be equal");
      }
      loaded.put(jar.id(), plugin);
      return "";
    } catch (RuntimeException | LinkageError e) {
      return unload(pf4j, pluginId, "it failed to load: " + e);
    }
  }

  /**
   * Whether a plugin that requires this SPI range reads {@code AttachRequest.network} (SPI
   * 2.2.0): one that may run on an older SPI does not know it, and would ignore a VM's choice.
   */
  static boolean readsNetworkChoice(IsolatingPluginManager pf4j, String requires) {
    try {
      for (String older : new String[] {"2.0.0", "2.1.0", "2.1.999"}) {
        if (pf4j.getVersionManager().checkVersionConstraint(older, requires)) {
          return false;
        }
      }
      return true;
    } catch (RuntimeException e) {
      return false;
    }
  }

  private static String checkSpiRange(IsolatingPluginManager pf4j, String requires) {
    try {
      if (pf4j.getVersionManager().checkVersionConstraint(SpiVersion.CURRENT, requires)) {
        return "";
      }
      return "it requires SPI " + requires + " but this runtime provides SPI " + SpiVersion.CURRENT
          + "; install a build of the plugin for SPI " + SpiVersion.CURRENT;
    } catch (RuntimeException e) {
      return "its Plugin-Requires '" + requires + "' is not a version range (write e.g. >=1.0.0 & <2.0.0)";
    }
  }

  private static String unload(IsolatingPluginManager pf4j, String pluginId, String reason) {
    if (pluginId != null) {
      try {
        pf4j.unloadPlugin(pluginId);
      } catch (RuntimeException e) {
        // Skipped either way; the class loader goes away with the process.
      }
    }
    return reason;
  }

  private List<Path> listJars() {
    if (!Files.exists(dir)) {
      throw new IgnisException(ErrorCode.NOT_FOUND, "plugins dir " + dir
          + " does not exist; pass --plugins-dir DIR or set IGNIS_PLUGINS_DIR");
    }
    if (!Files.isDirectory(dir) || !Files.isReadable(dir)) {
      throw new IgnisException(ErrorCode.IO_FAILURE, "plugins dir " + dir
          + " is not a readable directory; pass --plugins-dir DIR or set IGNIS_PLUGINS_DIR");
    }
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.filter(p -> p.getFileName().toString().endsWith(".jar")).sorted().toList();
    } catch (IOException e) {
      throw new IgnisException(ErrorCode.IO_FAILURE, "cannot list plugins dir " + dir + ": " + e.getMessage(), e);
    }
  }
}
