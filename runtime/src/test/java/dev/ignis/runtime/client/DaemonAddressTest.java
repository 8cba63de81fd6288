package dev.ignis.runtime.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DaemonAddressTest {

  @TempDir Path dir;

  @Test
  void theStateDir_isFoundAsTheRuntimeFindsIt_flagThenEnvironmentThenConfig() throws IOException {
    Path config = Files.writeString(dir.resolve("ignis.properties"), "state.dir = /srv/ignis\n");
    Map<String, String> env = Map.of("IGNIS_CONFIG", config.toString());
    assertThat(DaemonAddress.of(new String[] {"ps"}, env, Optional.empty(), dir).stateDir()).isEqualTo(Path.of("/srv/ignis"));
    assertThat(DaemonAddress.of(new String[] {"ps"}, Map.of("IGNIS_CONFIG", config.toString(), "IGNIS_STATE_DIR", "/e"),
        Optional.empty(), dir).stateDir()).isEqualTo(Path.of("/e"));
    assertThat(DaemonAddress.of(new String[] {"--state-dir", "rel", "ps"}, env, Optional.empty(), dir).stateDir())
        .as("relative to the caller").isEqualTo(dir.resolve("rel"));
    assertThat(DaemonAddress.of(new String[] {"--network-plugin", "cni", "--state-dir=/f", "ps"}, env, Optional.empty(),
        dir).stateDir()).isEqualTo(Path.of("/f"));
    assertThat(DaemonAddress.of(new String[] {"inspect", "--state-dir"}, Map.of("IGNIS_CONFIG", "/nonexistent"),
        Optional.empty(), dir).stateDir()).as("after the command word it is the command's").isEqualTo(Path.of("/var/lib/ignis"));
  }

  @Test
  void aSocketPathLongerThanLinuxTakes_isRecognised() {
    assertThat(new DaemonAddress(Path.of("/var/lib/ignis")).socketPathFits()).isTrue();
    assertThat(new DaemonAddress(Path.of("/" + "x".repeat(100))).socketPathFits()).isFalse();
  }

  @Test
  void onlyTheRuntimesPartOfTheEnvironment_travels() {
    assertThat(ClientEnvironment.relevant(Map.of("IGNIS_STATE_DIR", "/s", "IGNIS_DAEMON", "on", "IGNIS_JAVA_OPTS", "-X",
        "HOME", "/root", "DOCKER_HOST", "unix:///d.sock", "IGNIS_CDS", "off")))
        .containsOnlyKeys("IGNIS_STATE_DIR", "DOCKER_HOST");
  }
}
