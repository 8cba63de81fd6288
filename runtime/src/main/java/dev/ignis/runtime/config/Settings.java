package dev.ignis.runtime.config;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The runtime's resolved configuration for one invocation.
 *
 * <p>Resolved by {@link SettingsLoader} from, in rising priority: built-in defaults, {@code
 * <install>/conf/ignis.properties}, {@code /etc/ignis/ignis.properties} (or the file in {@code
 * IGNIS_CONFIG}), environment variables and command-line flags.
 *
 * @param stateDir where VM records and plugin state live, {@code /var/lib/ignis} by default
 * @param pluginsDir where plugin jars are found, {@code <install>/plugins} by default; empty
 *     when neither the install dir nor a setting names one
 * @param defaultPlugin the network plugin for VMs that name none, {@code cni} by default
 * @param imagesDir where the default VM image is built and kept, {@code <state>/images} by default
 * @param installDir the installation (for {@code bin/build-default-image}), if the runtime runs from one
 * @param properties every configuration property, for plugin settings
 * @param environment the process environment, for plugin settings
 * @param verbose whether to show debug logs and stack traces
 */
public record Settings(
    Path stateDir,
    Optional<Path> pluginsDir,
    String defaultPlugin,
    Path imagesDir,
    Optional<Path> installDir,
    Map<String, String> properties,
    Map<String, String> environment,
    boolean verbose) {

  /** Copies the maps. */
  public Settings {
    properties = Map.copyOf(properties);
    environment = Map.copyOf(environment);
  }

  /** The same settings with {@code verbose} as given. */
  public Settings withVerbose(boolean newVerbose) {
    return new Settings(stateDir, pluginsDir, defaultPlugin, imagesDir, installDir, properties, environment, newVerbose);
  }

  /** The directory of VM records. */
  public Path vmsDir() {
    return stateDir.resolve("vms");
  }

  /** The state directory of one plugin. */
  public Path pluginStateDir(String pluginId) {
    return stateDir.resolve("plugins").resolve(pluginId);
  }

  /**
   * A plugin's setting {@code key}: the environment variable {@code IGNIS_PLUGIN_<ID>_<KEY>}
   * wins over the property {@code plugin.<id>.<key>}.
   */
  public Optional<String> pluginSetting(String pluginId, String key) {
    String variable = ("IGNIS_PLUGIN_" + pluginId + "_" + key).toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9_]", "_");
    String fromEnv = environment.get(variable);
    if (fromEnv != null) {
      return Optional.of(fromEnv);
    }
    return Optional.ofNullable(properties.get("plugin." + pluginId + "." + key));
  }
}
