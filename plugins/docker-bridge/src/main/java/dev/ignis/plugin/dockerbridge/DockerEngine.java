package dev.ignis.plugin.dockerbridge;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Version;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.transport.DockerHttpClient;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;
import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * A connection to the Docker Engine through docker-java, pinned to one API version: the one
 * configured, else the newest both the daemon and this plugin speak ({@link #NEWEST_API}, what
 * Debian 12's docker.io offers and the version this plugin is tested with). Requests go through
 * {@link #call}, or catch what they expect and hand the rest to {@link DockerFailures}, so that
 * docker-java's failures surface as one-line {@link IgnisException}s.
 */
final class DockerEngine implements AutoCloseable {

  /** The newest Engine API version this plugin asks for unless configured otherwise. */
  static final ApiVersion NEWEST_API = ApiVersion.parse("1.41");
  /** The oldest Engine API version with everything this plugin uses. */
  static final ApiVersion OLDEST_API = ApiVersion.parse("1.25");

  private final String host;
  private final DockerHttpClient http;
  private final DockerClient client;
  private final ApiVersion api;
  private final Version daemon;

  private DockerEngine(String host, DockerHttpClient http, DockerClient client, ApiVersion api, Version daemon) {
    this.host = host;
    this.http = http;
    this.client = client;
    this.api = api;
    this.daemon = daemon;
  }

  /** Connects, asks the daemon for its versions and pins the API version. */
  static DockerEngine connect(DockerSettings settings) {
    String host = settings.host();
    checkSocket(host);
    DockerClientConfig probeConfig = config(host, null);
    DockerHttpClient http = new ZerodepDockerHttpClient.Builder()
        .dockerHost(probeConfig.getDockerHost())
        .sslConfig(probeConfig.getSSLConfig())
        .connectionTimeout(Duration.ofSeconds(5))
        .responseTimeout(settings.timeout())
        .build();
    try {
      DockerClient probe = DockerClientImpl.getInstance(probeConfig, http);
      Version version = translate(host, "ask Docker for its version", () -> probe.versionCmd().exec());
      ApiVersion api = choose(host, version.getVersion(), version.getApiVersion(), version.getMinAPIVersion(),
          settings.apiVersion());
      DockerClient pinned = DockerClientImpl.getInstance(config(host, api.text()), http);
      return new DockerEngine(host, http, pinned, api, version);
    } catch (RuntimeException e) {
      closeQuietly(http);
      throw e;
    }
  }

  /**
   * The API version to use: the configured one if the daemon speaks it, else the newest both
   * speak. Refuses a daemon older than {@link #OLDEST_API}.
   *
   * @param daemonApi the daemon's newest API version
   * @param daemonMinApi the daemon's oldest API version, or null if it does not say
   */
  static ApiVersion choose(String host, String dockerVersion, String daemonApi, String daemonMinApi,
      java.util.Optional<String> configured) {
    ApiVersion newest = ApiVersion.parse(daemonApi);
    ApiVersion oldest = daemonMinApi == null ? OLDEST_API : ApiVersion.parse(daemonMinApi);
    if (newest.compareTo(OLDEST_API) < 0) {
      throw new IgnisException(ErrorCode.NOT_SUPPORTED, "Docker " + dockerVersion + " at " + host
          + " speaks Engine API " + newest.text() + ", too old for docker-bridge (it needs " + OLDEST_API.text()
          + " or newer); upgrade Docker");
    }
    if (configured.isPresent()) {
      ApiVersion wanted = ApiVersion.parse(configured.get());
      if (wanted.compareTo(newest) > 0 || wanted.compareTo(oldest) < 0) {
        throw new IgnisException(ErrorCode.INCOMPATIBLE_VERSION, "Docker " + dockerVersion + " at " + host
            + " speaks Engine API " + oldest.text() + " to " + newest.text() + ", not the configured " + wanted.text()
            + "; change plugin.docker-bridge.api-version or remove it");
      }
      return wanted;
    }
    ApiVersion chosen = newest.compareTo(NEWEST_API) > 0 ? NEWEST_API : newest;
    return chosen.compareTo(oldest) < 0 ? oldest : chosen;
  }

  /** Runs one request, turning docker-java's failures into an {@link IgnisException}. */
  <T> T call(String what, Supplier<T> request) {
    return translate(host, what, request);
  }

  /**
   * Imports a rootfs tar as an image ({@code docker import}). docker-java's own import command
   * sends the stream JSON-encoded (docker-java issue 2377), so this goes through its transport
   * directly; the daemon answers with a stream of JSON progress lines.
   */
  void importImage(String repository, String tag, byte[] rootfsTar) {
    String what = "import the sandbox image " + repository + ":" + tag;
    DockerHttpClient.Request request = DockerHttpClient.Request.builder()
        .method(DockerHttpClient.Request.Method.POST)
        .path("/v" + api.text() + "/images/create?fromSrc=-&repo=" + encode(repository) + "&tag=" + encode(tag))
        .putHeader("Content-Type", "application/x-tar")
        .bodyBytes(rootfsTar)
        .build();
    String body;
    int status;
    try (DockerHttpClient.Response response = translate(host, what, () -> http.execute(request))) {
      status = response.getStatusCode();
      body = new String(response.getBody().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IgnisException(ErrorCode.IO_FAILURE, "Docker at " + host + " broke off while trying to " + what, e);
    }
    java.util.regex.Matcher error = java.util.regex.Pattern.compile("\"(?:error|message)\"\\s*:\\s*\"([^\"]*)\"")
        .matcher(body);
    if (status != 200 || error.find()) {
      throw new IgnisException(ErrorCode.PLUGIN_FAILED, "Docker could not " + what + ": "
          + (error.find(0) ? error.group(1) : "HTTP " + status));
    }
  }

  private static String encode(String text) {
    return java.net.URLEncoder.encode(text, java.nio.charset.StandardCharsets.UTF_8);
  }

  DockerClient client() {
    return client;
  }

  String host() {
    return host;
  }

  ApiVersion api() {
    return api;
  }

  Version daemon() {
    return daemon;
  }

  @Override
  public void close() {
    closeQuietly(http);
  }

  private static <T> T translate(String host, String what, Supplier<T> request) {
    try {
      return request.get();
    } catch (IgnisException e) {
      throw e;
    } catch (RuntimeException e) {
      throw DockerFailures.translate(host, what, e);
    }
  }

  private static DockerClientConfig config(String host, String apiVersion) {
    DefaultDockerClientConfig.Builder builder = DefaultDockerClientConfig.createDefaultConfigBuilder().withDockerHost(host);
    if (apiVersion != null) {
      builder.withApiVersion(apiVersion);
    }
    try {
      return builder.build();
    } catch (RuntimeException e) {
      throw new IgnisException(ErrorCode.INVALID_ARGUMENT, "cannot use Docker host '" + host + "': " + e.getMessage()
          + "; set DOCKER_HOST or plugin.docker-bridge.host to unix:///path or tcp://host:port", e);
    }
  }

  /** Names the usual problems of a local socket before docker-java hides them in a stack of causes. */
  private static void checkSocket(String host) {
    if (!host.startsWith("unix://")) {
      return;
    }
    Path socket = Path.of(URI.create(host).getPath());
    if (Files.notExists(socket)) {
      throw new IgnisException(ErrorCode.PLUGIN_NOT_AVAILABLE, "Docker's socket " + socket
          + " does not exist: is Docker installed and running? (another daemon: set DOCKER_HOST or"
          + " plugin.docker-bridge.host)");
    }
    if (!Files.exists(socket)) {
      throw new IgnisException(ErrorCode.PLUGIN_NOT_AVAILABLE, "permission denied on the path to Docker's socket "
          + socket + "; run as root or as a user who may open it");
    }
    if (!Files.isReadable(socket) || !Files.isWritable(socket)) {
      throw new IgnisException(ErrorCode.PLUGIN_NOT_AVAILABLE, "permission denied on Docker's socket " + socket
          + "; run as root or as a member of its group");
    }
  }

  private static void closeQuietly(DockerHttpClient http) {
    try {
      http.close();
    } catch (IOException e) {
      // nothing to do
    }
  }
}
