package dev.ignis.plugin.dockerbridge;

import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import dev.ignis.spi.PluginContext;
import java.time.Duration;
import java.util.Optional;

/**
 * How the docker-bridge plugin reaches Docker and makes sandboxes; read from the plugin's
 * settings ({@code plugin.docker-bridge.<key>} or {@code IGNIS_PLUGIN_DOCKER_BRIDGE_<KEY>}).
 *
 * @param host {@code host}: the Docker Engine, else {@code DOCKER_HOST}, else
 *     {@code unix:///var/run/docker.sock}
 * @param apiVersion {@code api-version}: the Engine API version to pin, else the newest both
 *     the daemon and this plugin speak
 * @param sandboxImage {@code sandbox-image}: the image of sandbox containers; the default one
 *     is built offline from the host's static busybox when it is missing
 * @param busybox {@code busybox}: the static busybox the default image is built from
 * @param timeout {@code timeout}: seconds one Docker request may take, 60
 * @param deprecationNotice {@code deprecation-notice}: {@code false} silences the deprecation line
 */
record DockerSettings(
    String host,
    Optional<String> apiVersion,
    String sandboxImage,
    String busybox,
    Duration timeout,
    boolean deprecationNotice) {

  static final String DEFAULT_HOST = "unix:///var/run/docker.sock";
  static final String DEFAULT_IMAGE = "ignis/sandbox:1";

  static DockerSettings from(PluginContext context) {
    String timeout = context.setting("timeout").orElse("60");
    if (!timeout.matches("\\d{1,4}") || Integer.parseInt(timeout) == 0) {
      throw new IgnisException(ErrorCode.INVALID_ARGUMENT,
          "docker-bridge setting timeout '" + timeout + "' is not a number of seconds from 1 to 9999");
    }
    Optional<String> api = context.setting("api-version").filter(v -> !v.isBlank());
    if (api.isPresent() && !api.get().matches("1\\.\\d{1,3}")) {
      throw new IgnisException(ErrorCode.INVALID_ARGUMENT, "docker-bridge setting api-version '" + api.get()
          + "' is not an Engine API version such as 1.41");
    }
    String notice = context.setting("deprecation-notice").orElse("true");
    if (!notice.equals("true") && !notice.equals("false")) {
      throw new IgnisException(ErrorCode.INVALID_ARGUMENT,
          "docker-bridge setting deprecation-notice '" + notice + "' is neither true nor false");
    }
    String env = System.getenv("DOCKER_HOST");
    return new DockerSettings(
        context.setting("host").filter(h -> !h.isBlank())
            .orElse(env == null || env.isBlank() ? DEFAULT_HOST : env),
        api,
        context.setting("sandbox-image").filter(i -> !i.isBlank()).orElse(DEFAULT_IMAGE),
        context.setting("busybox").filter(b -> !b.isBlank()).orElse("/bin/busybox"),
        Duration.ofSeconds(Integer.parseInt(timeout)),
        notice.equals("true"));
  }

  /** True if the sandbox image is the one this plugin builds itself. */
  boolean buildsOwnImage() {
    return sandboxImage.equals(DEFAULT_IMAGE);
  }
}
