package dev.ignis.runtime.plugin;

import dev.ignis.spi.NetworkPlugin;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The checked jars of a plugins dir, loaded one at a time as their plugins are asked for: a
 * plugin after the plugins it depends on (PF4J's {@code Plugin-Dependencies}). Thread-safe.
 */
final class JarLoader {

  private final Path dir;
  private final IsolatingPluginManager pf4j;
  private final Map<String, PluginJar> byId = new LinkedHashMap<>();
  private final List<PluginInfo> infos;
  private final Map<String, NetworkPlugin> loaded = new LinkedHashMap<>();
  private final Set<String> attempted = new HashSet<>();

  /** {@code jars}: one per id; {@code infos}: what reading the dir already found wrong. */
  JarLoader(Path dir, IsolatingPluginManager pf4j, List<PluginJar> jars, List<PluginInfo> infos) {
    this.dir = dir;
    this.pf4j = pf4j;
    jars.stream().sorted(Comparator.comparing(PluginJar::jar)).forEach(jar -> byId.put(jar.id(), jar));
    this.infos = new ArrayList<>(infos);
  }

  /** The plugin with this id, loaded now if it was not; null if no jar provides it or it was skipped. */
  synchronized NetworkPlugin load(String id) {
    NetworkPlugin plugin = loaded.get(id);
    if (plugin != null || !attempted.add(id)) {
      return plugin;
    }
    PluginJar jar = byId.get(id);
    if (jar == null) {
      return null;
    }
    List<String> missing = jar.dependencies().stream().filter(dependency -> load(dependency) == null).toList();
    if (!missing.isEmpty()) {
      infos.add(PluginInfo.skipped(jar, "it needs the plugin" + (missing.size() > 1 ? "s " : " ")
          + String.join(", ", missing) + ", which " + (missing.size() > 1 ? "are" : "is")
          + " not installed or did not load; install it in " + dir));
      return null;
    }
    String reason = PluginDirectory.loadOne(pf4j, jar, loaded);
    infos.add(reason.isEmpty() ? PluginInfo.started(jar, loaded.get(id).description()) : PluginInfo.skipped(jar, reason));
    return loaded.get(id);
  }

  /** Loads every plugin not loaded yet. */
  synchronized void loadAll() {
    new ArrayList<>(byId.keySet()).forEach(this::load);
  }

  /** The plugins loaded so far, by id. */
  synchronized Map<String, NetworkPlugin> loaded() {
    return Map.copyOf(loaded);
  }

  /** Whether the loaded plugin with this id reads a VM's choice among its networks (SPI 2.2). */
  synchronized boolean readsNetworkChoice(String id) {
    PluginJar jar = byId.get(id);
    return jar != null && PluginDirectory.readsNetworkChoice(pf4j, jar.requires());
  }

  /** The ids some jar provides (loaded or not). */
  synchronized Set<String> ids() {
    return Set.copyOf(byId.keySet());
  }

  /** What is known of every jar so far (a jar not asked for yet has no line), in file-name order. */
  synchronized List<PluginInfo> infos() {
    List<PluginInfo> sorted = new ArrayList<>(infos);
    sorted.sort(Comparator.comparing(PluginInfo::jar));
    return sorted;
  }
}
