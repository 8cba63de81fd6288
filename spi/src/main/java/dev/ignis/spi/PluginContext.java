package dev.ignis.spi;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Host services the runtime gives a plugin; the plugin's only view of the runtime.
 *
 * <p>Handed to {@link NetworkPlugin#init} once, before any other call. Thread-safe.
 */
public interface PluginContext {

  /**
   * A directory that belongs to this plugin ({@code /var/lib/ignis/plugins/<id>} by default),
   * created on first use; state kept here survives restarts of the runtime.
   */
  Path stateDir();

  /**
   * A setting for this plugin from the runtime configuration: key {@code k} is read from
   * {@code plugin.<id>.k} in {@code ignis.properties} or from the environment variable
   * {@code IGNIS_PLUGIN_<ID>_<K>} (upper case, dots and dashes as underscores).
   */
  Optional<String> setting(String key);

  /** Runs host commands, also inside network namespaces. */
  CommandRunner commands();

  /**
   * Tells the user something in one line on standard error (a deprecation, a hint), marked
   * with the plugin id. Not for errors: throw {@link IgnisException} for those.
   */
  void notice(String message);
}
