package dev.ignis.plugin.flannel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class HttpBodiesTest {

  private static InputStream bytes(String text) {
    return new ByteArrayInputStream(text.getBytes(StandardCharsets.US_ASCII));
  }

  @Test
  void chunkedBody_isJoinedAcrossChunks_andEndsAtTheLastChunk_leavingTheRestUnread() throws IOException {
    InputStream wire = bytes("7\r\n{\"a\":1}\r\nA;ext=1\r\n\n{\"b\":22}\n\r\n0\r\nTrailer: x\r\n\r\nNEXT");
    assertThat(new String(new HttpBodies.Chunked(wire).readAllBytes(), StandardCharsets.US_ASCII))
        .isEqualTo("{\"a\":1}\n{\"b\":22}\n");
    assertThat(new String(wire.readAllBytes(), StandardCharsets.US_ASCII)).as("the next answer").isEqualTo("NEXT");
  }

  @Test
  void boundedBody_stopsAtItsLength() throws IOException {
    InputStream wire = bytes("{\"kvs\":[]}HTTP/1.1 200 OK");
    assertThat(new String(new HttpBodies.Bounded(wire, 10).readAllBytes(), StandardCharsets.US_ASCII))
        .isEqualTo("{\"kvs\":[]}");
    assertThatThrownBy(() -> HttpBodies.line(wire)).as("a line the connection cut").isInstanceOf(IOException.class);
  }

  @Test
  void aConnectionClosedMidAnswer_isAnIoError_notAShortBody() {
    assertThatThrownBy(() -> new HttpBodies.Chunked(bytes("10\r\nshort")).readAllBytes())
        .isInstanceOf(IOException.class).hasMessageContaining("mid-chunk");
    assertThatThrownBy(() -> new HttpBodies.Bounded(bytes("short"), 10).readAllBytes())
        .isInstanceOf(IOException.class).hasMessageContaining("mid-answer");
    assertThatThrownBy(() -> new HttpBodies.Chunked(bytes("zz\r\n")).readAllBytes())
        .isInstanceOf(IOException.class).hasMessageContaining("not a chunk size");
  }
}
