package dev.ignis.plugin.dockerbridge;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.InternalServerErrorException;
import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import java.io.IOException;
import java.net.SocketTimeoutException;
import org.junit.jupiter.api.Test;

class DockerFailuresTest {

  private static final String HOST = "unix:///run/d.sock";

  @Test
  void daemonErrors_keepOnlyTheDaemonsMessage() {
    IgnisException e = DockerFailures.translate(HOST, "create the sandbox container ignis-x", new ConflictException(
        "Status 409: {\"message\":\"Conflict. The container name \\\"/ignis-x\\\" is already in use\"}\n"));
    assertThat(e.code()).isEqualTo(ErrorCode.ALREADY_EXISTS);
    assertThat(e.getMessage()).isEqualTo("Docker could not create the sandbox container ignis-x: Conflict. The"
        + " container name \"/ignis-x\" is already in use");
  }

  @Test
  void hostPortInUse_isFoundInEitherOfDockersWordings() {
    String proxy = "driver failed programming external connectivity on endpoint ignis-x (abc): Error starting userland"
        + " proxy: listen tcp4 0.0.0.0:18084: bind: address already in use";
    String allocated = "driver failed programming external connectivity on endpoint ignis-x (abc): Bind for"
        + " 0.0.0.0:18081 failed: port is already allocated";
    assertThat(DockerFailures.portInUse(proxy)).hasValue(18084);
    assertThat(DockerFailures.portInUse(allocated)).hasValue(18081);
    assertThat(DockerFailures.portInUse("no such image")).isEmpty();
    assertThat(DockerFailures.daemonMessage(new InternalServerErrorException("Status 500: {\"message\":\"" + proxy
        + "\"}"))).isEqualTo(proxy);
  }

  @Test
  void transportFailures_sayWhatToDo() {
    assertThat(DockerFailures.translate(HOST, "x", new RuntimeException(new IOException("[111] Connection refused")))
        .getMessage()).startsWith("Docker is not running at " + HOST + " (connection refused); start dockerd");
    assertThat(DockerFailures.translate(HOST, "x", new RuntimeException(new IOException("[13] Permission denied")))
        .getMessage()).startsWith("permission denied talking to Docker at " + HOST);
    IgnisException slow = DockerFailures.translate(HOST, "start the sandbox", new RuntimeException(
        new SocketTimeoutException("Read timed out")));
    assertThat(slow.code()).isEqualTo(ErrorCode.TRY_AGAIN_LATER);
    assertThat(slow.getMessage()).contains("did not answer in time while trying to start the sandbox");
  }

  @Test
  void anythingElse_namesTheRequestAndTheRootCause() {
    IgnisException e = DockerFailures.translate(HOST, "list sandbox containers",
        new IllegalStateException("wrapped", new IllegalArgumentException("bad header")));
    assertThat(e.code()).isEqualTo(ErrorCode.PLUGIN_FAILED);
    assertThat(e.getMessage()).isEqualTo("Docker request to list sandbox containers at " + HOST
        + " failed: IllegalArgumentException: bad header");
  }
}
