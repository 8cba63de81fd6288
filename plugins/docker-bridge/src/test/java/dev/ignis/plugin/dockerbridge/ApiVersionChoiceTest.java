package dev.ignis.plugin.dockerbridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ApiVersionChoiceTest {

  private static ApiVersion choose(String newest, String oldest, Optional<String> configured) {
    return DockerEngine.choose("unix:///d.sock", "20.10.24", newest, oldest, configured);
  }

  @Test
  void debianDaemon_isPinnedTo141() {
    assertThat(choose("1.41", "1.12", Optional.empty()).text()).isEqualTo("1.41");
  }

  @Test
  void newerDaemon_isAskedForTheNewestVersionThisPluginIsTestedWith() {
    assertThat(choose("1.47", "1.24", Optional.empty()).text()).isEqualTo("1.41");
  }

  @Test
  void daemonThatDroppedOldVersions_isAskedForItsOldest() {
    assertThat(choose("1.52", "1.44", Optional.empty()).text()).isEqualTo("1.44");
  }

  @Test
  void olderDaemon_isAskedForItsOwnVersion() {
    assertThat(choose("1.30", null, Optional.empty()).text()).isEqualTo("1.30");
  }

  @Test
  void daemonTooOld_isRefusedByName() {
    assertThatThrownBy(() -> choose("1.24", "1.12", Optional.empty()))
        .isInstanceOf(IgnisException.class)
        .hasMessage("Docker 20.10.24 at unix:///d.sock speaks Engine API 1.24, too old for docker-bridge (it needs 1.25"
            + " or newer); upgrade Docker")
        .extracting(e -> ((IgnisException) e).code()).isEqualTo(ErrorCode.NOT_SUPPORTED);
  }

  @Test
  void configuredVersion_isUsedWhenTheDaemonSpeaksIt() {
    assertThat(choose("1.41", "1.12", Optional.of("1.30")).text()).isEqualTo("1.30");
    assertThatThrownBy(() -> choose("1.41", "1.12", Optional.of("1.43")))
        .hasMessageContaining("speaks Engine API 1.12 to 1.41, not the configured 1.43");
  }

  @Test
  void versionsCompareNumerically() {
    assertThat(ApiVersion.parse("1.9")).isLessThan(ApiVersion.parse("1.10"));
    assertThatThrownBy(() -> ApiVersion.parse("v1")).hasMessageContaining("not a Docker Engine API version");
  }
}
