package dev.ignis.runtime.daemon.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class HttpRequestTest {

  private static HttpRequest read(String text) throws IOException {
    return HttpRequest.read(new ByteArrayInputStream(text.getBytes(StandardCharsets.ISO_8859_1)));
  }

  @Test
  void aRequest_withQueryHeadersAndBody() throws IOException {
    HttpRequest request = read("POST /v1/vms/web%2D1/stop?timeout=5&force HTTP/1.1\r\nHost: x\r\n"
        + "Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}trailing");
    assertThat(request.method()).isEqualTo("POST");
    assertThat(request.path()).isEqualTo("/v1/vms/web-1/stop");
    assertThat(request.query()).containsEntry("timeout", "5").containsEntry("force", "");
    assertThat(request.header("CONTENT-TYPE")).isEqualTo("application/json");
    assertThat(request.bodyText()).isEqualTo("{}");
  }

  @Test
  void aPeerThatSendsNothing_isNoRequest() throws IOException {
    assertThat(read("")).isNull();
  }

  @Test
  void badRequests_getTheirStatus() {
    assertThatThrownBy(() -> read("GARBAGE\r\n\r\n")).isInstanceOf(HttpRequest.Malformed.class)
        .satisfies(e -> assertThat(((HttpRequest.Malformed) e).status).isEqualTo(400));
    assertThatThrownBy(() -> read("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"))
        .satisfies(e -> assertThat(((HttpRequest.Malformed) e).status).isEqualTo(411));
    assertThatThrownBy(() -> read("POST / HTTP/1.1\r\nContent-Length: 99999999\r\n\r\n"))
        .satisfies(e -> assertThat(((HttpRequest.Malformed) e).status).isEqualTo(413));
    assertThatThrownBy(() -> read("GET /" + "a".repeat(9000) + " HTTP/1.1\r\n\r\n"))
        .satisfies(e -> assertThat(((HttpRequest.Malformed) e).status).isEqualTo(431));
    assertThatThrownBy(() -> read("POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nshort"))
        .isInstanceOf(java.io.EOFException.class);
  }
}
