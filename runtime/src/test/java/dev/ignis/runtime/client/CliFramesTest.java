package dev.ignis.runtime.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ignis.runtime.format.Mappers;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CliFramesTest {

  @Test
  void framesRoundTrip_inOrder_withTheExitStatusLast() throws IOException {
    ByteArrayOutputStream stream = new ByteArrayOutputStream();
    byte[] out = "hello\n".getBytes(StandardCharsets.UTF_8);
    CliFrames.write(stream, CliFrames.STDOUT, out, 0, out.length);
    CliFrames.write(stream, CliFrames.KEEPALIVE, out, 0, 0);
    CliFrames.write(stream, CliFrames.STDERR, out, 1, 3);
    CliFrames.writeExit(stream, 130);
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(stream.toByteArray()));
    assertThat(CliFrames.read(in).bytes()).isEqualTo(out);
    assertThat(CliFrames.read(in).kind()).isEqualTo(CliFrames.KEEPALIVE);
    assertThat(new String(CliFrames.read(in).bytes(), StandardCharsets.UTF_8)).isEqualTo("ell");
    assertThat(CliFrames.read(in).exitStatus()).isEqualTo(130);
    assertThat(CliFrames.read(in)).as("end of stream").isNull();
  }

  @Test
  void aMalformedFrame_isAnErrorNotAHang() {
    byte[] bogus = {9, 0, 0, 0, 1, 42};
    assertThatThrownBy(() -> CliFrames.read(new DataInputStream(new ByteArrayInputStream(bogus))))
        .isInstanceOf(IOException.class).hasMessageContaining("malformed frame");
  }

  @Test
  void theHandWrittenRequest_isJsonThatJacksonReadsBack_withAnyCharacters() throws IOException {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("IGNIS_PLUGIN_X_Y", "a \"quoted\" \\ value\nwith\ttabs and \u0001 and ünïcödé");
    String[] args = {"run", "--name", "we\"ird", "--cmdline", "a\\b"};
    JsonNode parsed = Mappers.json().readTree(CliFrames.request("id-1", args, env, "/tmp/dir", true));
    assertThat(parsed.path("args").get(2).asText()).isEqualTo("we\"ird");
    assertThat(parsed.path("args").get(4).asText()).isEqualTo("a\\b");
    assertThat(parsed.path("env").path("IGNIS_PLUGIN_X_Y").asText()).isEqualTo(env.get("IGNIS_PLUGIN_X_Y"));
    assertThat(parsed.path("cwd").asText()).isEqualTo("/tmp/dir");
    assertThat(parsed.path("terminal").asBoolean()).isTrue();
  }
}
