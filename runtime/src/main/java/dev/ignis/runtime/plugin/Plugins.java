package dev.ignis.runtime.plugin;

import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import dev.ignis.spi.NetworkPlugin;
import dev.ignis.spi.PluginContext;
import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The plugins of one directory: the usable ones by id, and a line for every jar.
 *
 * <p>A plugin's jar is loaded when the plugin is first asked for ({@link #get}), every jar when
 * all are ({@link #ids}, {@link #all}, {@link #infos}): a command that uses one plugin loads
 * one. A plugin is initialised with its context on first use, and always called through a
 * {@link GuardedPlugin}: failures name it, long calls time out, attachments are checked. A jar
 * that is skipped is reported once, when that is found out. Thread-safe.
 */
public final class Plugins {

  private final JarLoader jars;
  private final Map<String, NetworkPlugin> guarded = new ConcurrentHashMap<>();
  private final Function<String, PluginContext> contexts;
  private final Consumer<String> warn;
  private final Set<String> warned = new HashSet<>();
  private final Set<String> initialised = new HashSet<>();

  Plugins(JarLoader jars, Function<String, PluginContext> contexts, Consumer<String> warn) {
    this.jars = jars;
    this.contexts = contexts;
    this.warn = warn;
    warnNew();
  }

  private Plugins(Map<String, NetworkPlugin> given, Function<String, PluginContext> contexts) {
    this.jars = null;
    this.contexts = contexts;
    this.warn = line -> { };
    given.forEach((id, plugin) -> guarded.put(id, new GuardedPlugin(plugin, true))); // built against this SPI
  }

  /** Plugins given directly rather than found in a directory (embedding, tests). */
  public static Plugins of(List<NetworkPlugin> plugins, Function<String, PluginContext> contexts) {
    Map<String, NetworkPlugin> byId = new java.util.LinkedHashMap<>();
    plugins.forEach(plugin -> byId.put(plugin.id(), plugin));
    return new Plugins(byId, contexts);
  }

  /** Every jar found, started or skipped, in file-name order (loads every plugin). */
  public List<PluginInfo> infos() {
    loadAll();
    return jars == null ? List.of() : jars.infos();
  }

  /** One warning line per skipped jar (loads every plugin). */
  public List<String> warnings() {
    return infos().stream().filter(info -> !info.isStarted()).map(Plugins::warning).toList();
  }

  /** The ids of the usable plugins, sorted (loads every plugin). */
  public List<String> ids() {
    loadAll();
    return guarded.keySet().stream().sorted().toList();
  }

  /** The usable plugins, initialised. */
  public Collection<NetworkPlugin> all() {
    return ids().stream().map(this::get).toList();
  }

  /**
   * What the runtime has been waiting on for over a second, if anything: the longest-running call
   * into a plugin, as "network plugin 'cni' (attach, 12 s of at most 300 s)".
   */
  public Optional<String> waitingOn() {
    return guarded.values().stream().map(p -> ((GuardedPlugin) p).waitingOn(Duration.ofSeconds(1)))
        .flatMap(Optional::stream).findFirst();
  }

  /** The plugin with this id, initialised; a clear error naming the ids there are if none. */
  public synchronized NetworkPlugin get(String id) {
    NetworkPlugin plugin = guarded(id);
    if (plugin == null) {
      String skipped = infos().stream().filter(i -> i.id().equals(id)).map(PluginInfo::reason).findFirst().orElse("");
      if (!skipped.isEmpty()) {
        throw new IgnisException(ErrorCode.PLUGIN_NOT_AVAILABLE, "network plugin '" + id + "' was skipped: " + skipped);
      }
      String known = ids().isEmpty() ? "none (the plugins dir has no usable jar)" : String.join(", ", ids());
      throw new IgnisException(ErrorCode.NOT_FOUND,
          "unknown network plugin '" + id + "'; available: " + known + " (see 'runtime plugins')");
    }
    if (initialised.add(id)) {
      plugin.init(contexts.apply(id));
    }
    return plugin;
  }

  /** The guarded plugin with this id, its jar loaded now if need be; null if there is none. */
  private synchronized NetworkPlugin guarded(String id) {
    NetworkPlugin plugin = guarded.get(id);
    if (plugin != null || jars == null) {
      return plugin;
    }
    NetworkPlugin loaded = jars.load(id);
    warnNew();
    if (loaded == null) {
      return null;
    }
    return guarded.computeIfAbsent(id, key -> new GuardedPlugin(loaded, jars.readsNetworkChoice(id)));
  }

  private synchronized void loadAll() {
    if (jars != null) {
      jars.loadAll();
      jars.loaded().forEach((id, plugin) -> guarded.computeIfAbsent(id,
          key -> new GuardedPlugin(plugin, jars.readsNetworkChoice(id))));
      warnNew();
    }
  }

  /** Reports each skipped jar once. */
  private synchronized void warnNew() {
    if (jars == null) {
      return;
    }
    for (PluginInfo info : jars.infos()) {
      if (!info.isStarted() && warned.add(info.jar())) {
        warn.accept(warning(info));
      }
    }
  }

  private static String warning(PluginInfo info) {
    return "skipping plugin jar " + info.jar() + ": " + info.reason();
  }
}
