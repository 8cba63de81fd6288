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
import java.util.function.Function;

/**
 * The plugins one directory provided: the usable ones by id, and a line for every jar.
 *
 * <p>A plugin is initialised with its context on first use, and always called through a
 * {@link GuardedPlugin}: failures name it, long calls time out, attachments are checked.
 * Thread-safe.
 */
public final class Plugins {

  private final Map<String, NetworkPlugin> byId;
  private final List<PluginInfo> infos;
  private final Function<String, PluginContext> contexts;
  private final Set<String> initialised = new HashSet<>();

  Plugins(Map<String, NetworkPlugin> byId, List<PluginInfo> infos, Function<String, PluginContext> contexts) {
    Map<String, NetworkPlugin> guarded = new java.util.LinkedHashMap<>();
    byId.forEach((id, plugin) -> guarded.put(id, new GuardedPlugin(plugin)));
    this.byId = Map.copyOf(guarded);
    this.infos = List.copyOf(infos);
    this.contexts = contexts;
  }

  /** Plugins given directly rather than found in a directory (embedding, tests). */
  public static Plugins of(List<NetworkPlugin> plugins, Function<String, PluginContext> contexts) {
    Map<String, NetworkPlugin> byId = new java.util.LinkedHashMap<>();
    plugins.forEach(plugin -> byId.put(plugin.id(), plugin));
    return new Plugins(byId, List.of(), contexts);
  }

  /** Every jar found, started or skipped, in file-name order. */
  public List<PluginInfo> infos() {
    return infos;
  }

  /** One warning line per skipped jar. */
  public List<String> warnings() {
    return infos.stream()
        .filter(info -> !info.isStarted())
        .map(info -> "skipping plugin jar " + info.jar() + ": " + info.reason())
        .toList();
  }

  /** The ids of the usable plugins, sorted. */
  public List<String> ids() {
    return byId.keySet().stream().sorted().toList();
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
    return byId.values().stream().map(p -> ((GuardedPlugin) p).waitingOn(Duration.ofSeconds(1)))
        .flatMap(Optional::stream).findFirst();
  }

  /** The plugin with this id, initialised; a clear error naming the ids there are if none. */
  public synchronized NetworkPlugin get(String id) {
    NetworkPlugin plugin = byId.get(id);
    if (plugin == null) {
      String skipped = infos.stream().filter(i -> i.id().equals(id)).map(PluginInfo::reason).findFirst().orElse("");
      if (!skipped.isEmpty()) {
        throw new IgnisException(ErrorCode.PLUGIN_NOT_AVAILABLE, "network plugin '" + id + "' was skipped: " + skipped);
      }
      String known = byId.isEmpty() ? "none (the plugins dir has no usable jar)" : String.join(", ", ids());
      throw new IgnisException(ErrorCode.NOT_FOUND,
          "unknown network plugin '" + id + "'; available: " + known + " (see 'runtime plugins')");
    }
    if (initialised.add(id)) {
      plugin.init(contexts.apply(id));
    }
    return plugin;
  }
}
