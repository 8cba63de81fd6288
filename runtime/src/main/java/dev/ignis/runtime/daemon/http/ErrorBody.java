package dev.ignis.runtime.daemon.http;

/** The API's error document, {@code {"error":{"status":404,"message":"..."}}}, for errors of the HTTP layer itself. */
final class ErrorBody {

  private ErrorBody() {}

  static String json(int status, String message) {
    return "{\"error\":{\"status\":" + status + ",\"message\":" + dev.ignis.runtime.client.CliFrames.quote(message)
        + "}}\n";
  }
}
