package dev.ignis.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** HTTP GET from inside a network namespace a test made (bash's /dev/tcp under nsenter), with retries. */
final class NetnsHttp {

  private NetnsHttp() {}

  /** The body of GET http://host:port/path from inside the netns, or "no answer: ..." after 20 tries. */
  static String get(String netns, String host, int port, String path) throws IOException, InterruptedException {
    String script = "exec 3<>/dev/tcp/" + host + "/" + port + " && printf 'GET " + path
        + " HTTP/1.0\\r\\nHost: vm\\r\\n\\r\\n' >&3 && timeout 10 cat <&3";
    String response = "";
    for (int attempt = 0; attempt < 20; attempt++) {
      Process process = new ProcessBuilder("nsenter", "--net=/run/netns/" + netns, "--", "bash", "-c", script)
          .redirectErrorStream(true).start();
      response = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (process.waitFor() == 0 && response.contains("\r\n\r\n")) {
        return response.substring(response.indexOf("\r\n\r\n") + 4).strip();
      }
      Thread.sleep(150);
    }
    return "no answer: " + response.strip();
  }
}
