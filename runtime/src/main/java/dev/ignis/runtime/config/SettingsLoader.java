package dev.ignis.runtime.config;

import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/** Resolves {@link Settings} from files, environment and flags; see there for the order. */
public final class SettingsLoader {

  /** The system property the launcher sets to the install directory. */
  public static final String HOME_PROPERTY = "ignis.home";

  private static final Path SYSTEM_CONFIG = Path.of("/etc/ignis/ignis.properties");
  private static final Path DEFAULT_STATE_DIR = Path.of("/var/lib/ignis");
  private static final String DEFAULT_PLUGIN = "cni";

  private final Map<String, String> environment;
  private final Optional<Path> installDir;

  /**
   * A loader for the given environment and install directory (empty when the runtime does not
   * run from an installed distribution, as in tests).
   */
  public SettingsLoader(Map<String, String> environment, Optional<Path> installDir) {
    this.environment = Map.copyOf(environment);
    this.installDir = installDir;
  }

  /** A loader for this process: its environment and the {@code ignis.home} property. */
  public static SettingsLoader forThisProcess() {
    String home = System.getProperty(HOME_PROPERTY);
    return new SettingsLoader(System.getenv(), Optional.ofNullable(home).filter(h -> !h.isBlank()).map(Path::of));
  }

  /**
   * Resolves the settings; each flag argument is null when the flag was not given.
   */
  public Settings load(Path stateDirFlag, Path pluginsDirFlag, boolean verbose) {
    if (stateDirFlag != null && stateDirFlag.toString().isBlank()) {
      throw new IgnisException(ErrorCode.INVALID_ARGUMENT, "--state-dir is empty; give a directory (default "
          + DEFAULT_STATE_DIR + ") or leave the option out");
    }
    if (pluginsDirFlag != null && pluginsDirFlag.toString().isBlank()) {
      throw new IgnisException(ErrorCode.INVALID_ARGUMENT, "--plugins-dir is empty; give a directory or leave the"
          + " option out");
    }
    Map<String, String> properties = new HashMap<>();
    installDir.ifPresent(home -> readInto(home.resolve("conf/ignis.properties"), properties));
    String configFile = environment.get("IGNIS_CONFIG");
    readInto(configFile != null ? Path.of(configFile) : SYSTEM_CONFIG, properties);

    Path stateDir = firstOf(stateDirFlag, environment.get("IGNIS_STATE_DIR"), properties.get("state.dir"))
        .orElse(DEFAULT_STATE_DIR);
    Optional<Path> pluginsDir = firstOf(pluginsDirFlag, environment.get("IGNIS_PLUGINS_DIR"), properties.get("plugins.dir"))
        .or(() -> installDir.map(home -> home.resolve("plugins")));
    String defaultPlugin = Optional.ofNullable(environment.get("IGNIS_NETWORK_PLUGIN"))
        .or(() -> Optional.ofNullable(properties.get("network.plugin")))
        .filter(s -> !s.isBlank())
        .orElse(DEFAULT_PLUGIN);
    Path imagesDir = firstOf(null, environment.get("IGNIS_IMAGES_DIR"), properties.get("images.dir"))
        .orElse(stateDir.resolve("images"));
    return new Settings(stateDir.toAbsolutePath(), pluginsDir.map(Path::toAbsolutePath), defaultPlugin,
        imagesDir.toAbsolutePath(), installDir, properties, environment, verbose);
  }

  private static Optional<Path> firstOf(Path flag, String fromEnv, String fromConfig) {
    if (flag != null) {
      return Optional.of(flag);
    }
    if (fromEnv != null && !fromEnv.isBlank()) {
      return Optional.of(Path.of(fromEnv));
    }
    return Optional.ofNullable(fromConfig).filter(s -> !s.isBlank()).map(Path::of);
  }

  private static void readInto(Path file, Map<String, String> properties) {
    if (!Files.isRegularFile(file)) {
      return;
    }
    Properties loaded = new Properties();
    try (Reader reader = Files.newBufferedReader(file)) {
      loaded.load(reader);
    } catch (IOException | IllegalArgumentException e) {
      throw new IgnisException(ErrorCode.INVALID_ARGUMENT,
          "cannot read configuration " + file + ": " + e.getMessage() + "; fix or remove the file");
    }
    loaded.forEach((key, value) -> properties.put(key.toString(), value.toString().strip()));
  }
}
