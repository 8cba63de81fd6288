package dev.ignis.runtime.client;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * Where the ignisd of a state dir lives: {@code <state>/daemon/} (owner-only, or a group's)
 * holds its socket {@code ignisd.sock}, its pid file and its lock; its log is {@code
 * <state>/ignisd.log}. One ignisd per state dir.
 *
 * <p>The client resolves the state dir the way the runtime does (flag, {@code IGNIS_STATE_DIR},
 * {@code state.dir} of the configuration files, {@code /var/lib/ignis}) without loading the
 * runtime, since it must know which daemon to ask before anything else.
 */
public record DaemonAddress(Path stateDir) {
  // No lambdas here: the thin client loads this class and starts in a tenth of a second.

  /** The longest socket path Linux accepts ({@code sun_path} holds 108 bytes with the NUL). */
  public static final int MAX_SOCKET_PATH = 107;

  public DaemonAddress {
    stateDir = stateDir.toAbsolutePath().normalize();
  }

  public Path dir() {
    return stateDir.resolve("daemon");
  }

  public Path socket() {
    return dir().resolve("ignisd.sock");
  }

  public Path pidFile() {
    return dir().resolve("ignisd.pid");
  }

  public Path lockFile() {
    return dir().resolve("ignisd.lock");
  }

  public Path log() {
    return stateDir.resolve("ignisd.log");
  }

  /** True if the socket's path fits in a Unix socket address. */
  public boolean socketPathFits() {
    return socket().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length <= MAX_SOCKET_PATH;
  }

  /**
   * The daemon for a command line: {@code --state-dir} among the root options (before the
   * command word), else the environment, else the configuration files.
   */
  public static DaemonAddress of(String[] args, Map<String, String> environment, Optional<Path> installDir,
      Path workingDir) {
    Optional<String> flag = stateDirFlag(args);
    if (flag.isPresent()) {
      return new DaemonAddress(workingDir.resolve(flag.get()));
    }
    String fromEnv = environment.get("IGNIS_STATE_DIR");
    if (fromEnv != null && !fromEnv.isBlank()) {
      return new DaemonAddress(workingDir.resolve(fromEnv));
    }
    String config = environment.get("IGNIS_CONFIG");
    String configured = stateDirIn(config != null ? Path.of(config) : Path.of("/etc/ignis/ignis.properties"));
    if (configured == null && installDir.isPresent()) {
      configured = stateDirIn(installDir.get().resolve("conf/ignis.properties"));
    }
    return new DaemonAddress(Path.of(configured != null ? configured : "/var/lib/ignis"));
  }

  /** The value of {@code --state-dir} before the command word, if given. */
  static Optional<String> stateDirFlag(String[] args) {
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (arg.equals("--state-dir") && i + 1 < args.length) {
        return Optional.of(args[i + 1]);
      } else if (arg.startsWith("--state-dir=")) {
        return Optional.of(arg.substring("--state-dir=".length()));
      } else if (arg.equals("--network-plugin") || arg.equals("--plugins-dir")) {
        i++;
      } else if (!arg.startsWith("-")) {
        return Optional.empty();
      }
    }
    return Optional.empty();
  }

  /** The {@code state.dir} of a configuration file, or null. */
  private static String stateDirIn(Path file) {
    if (!Files.isRegularFile(file)) {
      return null;
    }
    Properties properties = new Properties();
    try (Reader reader = Files.newBufferedReader(file)) {
      properties.load(reader);
    } catch (IOException | IllegalArgumentException e) {
      return null; // the runtime reports an unreadable configuration itself
    }
    String value = properties.getProperty("state.dir");
    return value == null || value.isBlank() ? null : value.strip();
  }
}
