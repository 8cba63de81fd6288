package dev.ignis.plugin.cni;

import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import dev.ignis.spi.PluginContext;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Where the cni plugin finds networks and binaries and keeps its cache; read from the
 * plugin's settings ({@code plugin.cni.<key>} or {@code IGNIS_PLUGIN_CNI_<KEY>}).
 *
 * @param confDir {@code conf-dir}: network configurations, {@code /etc/cni/net.d}
 * @param binPath {@code bin-path}: where CNI binaries are looked up, {@code /opt/cni/bin:/usr/lib/cni}
 * @param cacheDir {@code cache-dir}: the libcni-compatible cache root, {@code /var/lib/cni}
 * @param network {@code network}: the network to use by name, else the first in the conf dir
 * @param timeout {@code timeout}: seconds one plugin binary may run, 60
 */
record CniSettings(Path confDir, List<Path> binPath, Path cacheDir, Optional<String> network, Duration timeout) {

  static final String DEFAULT_CONF_DIR = "/etc/cni/net.d";
  static final String DEFAULT_BIN_PATH = "/opt/cni/bin:/usr/lib/cni";
  static final String DEFAULT_CACHE_DIR = "/var/lib/cni";

  CniSettings {
    binPath = List.copyOf(binPath);
  }

  static CniSettings from(PluginContext context) {
    String timeout = context.setting("timeout").orElse("60");
    if (!timeout.matches("\\d{1,4}") || Integer.parseInt(timeout) == 0) {
      throw new IgnisException(ErrorCode.INVALID_ARGUMENT,
          "cni setting timeout '" + timeout + "' is not a number of seconds from 1 to 9999");
    }
    return new CniSettings(
        Path.of(context.setting("conf-dir").orElse(DEFAULT_CONF_DIR)),
        Arrays.stream(context.setting("bin-path").orElse(DEFAULT_BIN_PATH).split(":"))
            .filter(s -> !s.isBlank()).map(Path::of).toList(),
        Path.of(context.setting("cache-dir").orElse(DEFAULT_CACHE_DIR)),
        context.setting("network").filter(s -> !s.isBlank()),
        Duration.ofSeconds(Integer.parseInt(timeout)));
  }

  /** The bin path as CNI_PATH writes it. */
  String binPathText() {
    return String.join(":", binPath.stream().map(Path::toString).toList());
  }
}
