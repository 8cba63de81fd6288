package dev.ignis.plugin.dockerbridge;

import com.github.dockerjava.api.exception.DockerException;
import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import java.net.SocketTimeoutException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Turns docker-java's exceptions into one line that says what failed and what to do. */
final class DockerFailures {

  private static final Pattern DAEMON_MESSAGE = Pattern.compile("\"message\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");
  private static final Pattern PORT_IN_USE = Pattern.compile(
      "(?:0\\.0\\.0\\.0|\\[::]|[0-9.]+):(\\d+)(?:: bind: address already in use| failed: port is already allocated)");

  private DockerFailures() {}

  static IgnisException translate(String host, String what, RuntimeException failure) {
    if (failure instanceof DockerException docker) {
      String message = daemonMessage(docker);
      return new IgnisException(codeOf(docker.getHttpStatus()), "Docker could not " + what + ": " + message, failure);
    }
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      String text = String.valueOf(cause.getMessage()).toLowerCase(Locale.ROOT);
      if (cause instanceof SocketTimeoutException || text.contains("timed out") || text.contains("timeout")) {
        return new IgnisException(ErrorCode.TRY_AGAIN_LATER, "Docker at " + host + " did not answer in time while"
            + " trying to " + what + "; check that it is healthy (plugin.docker-bridge.timeout sets the limit)", failure);
      }
      if (text.contains("connection refused") || text.contains("[111]")) {
        return new IgnisException(ErrorCode.PLUGIN_NOT_AVAILABLE, "Docker is not running at " + host
            + " (connection refused); start dockerd, or point DOCKER_HOST or plugin.docker-bridge.host at a running one",
            failure);
      }
      if (text.contains("permission denied") || text.contains("[13]")) {
        return new IgnisException(ErrorCode.PLUGIN_NOT_AVAILABLE, "permission denied talking to Docker at " + host
            + "; run as root or as a member of the socket's group", failure);
      }
      if (text.contains("no such file") || text.contains("[2]")) {
        return new IgnisException(ErrorCode.PLUGIN_NOT_AVAILABLE, "Docker's socket at " + host
            + " does not exist: is Docker running?", failure);
      }
    }
    Throwable root = failure;
    while (root.getCause() != null) {
      root = root.getCause();
    }
    return new IgnisException(ErrorCode.PLUGIN_FAILED, "Docker request to " + what + " at " + host + " failed: "
        + root.getClass().getSimpleName() + ": " + root.getMessage(), failure);
  }

  /** The daemon's own message from an error response, without docker-java's status prefix. */
  static String daemonMessage(DockerException failure) {
    String text = String.valueOf(failure.getMessage());
    Matcher matcher = DAEMON_MESSAGE.matcher(text);
    String message = matcher.find() ? matcher.group(1).replace("\\\"", "\"").replace("\\n", " ") : text;
    return message.strip();
  }

  /** The host port a daemon message says is taken, if it says so. */
  static java.util.OptionalInt portInUse(String message) {
    Matcher matcher = PORT_IN_USE.matcher(message);
    return matcher.find() ? java.util.OptionalInt.of(Integer.parseInt(matcher.group(1))) : java.util.OptionalInt.empty();
  }

  private static ErrorCode codeOf(int status) {
    return switch (status) {
      case 400 -> ErrorCode.INVALID_ARGUMENT;
      case 404 -> ErrorCode.NOT_FOUND;
      case 409 -> ErrorCode.ALREADY_EXISTS;
      default -> ErrorCode.PLUGIN_FAILED;
    };
  }
}
