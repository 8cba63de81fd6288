package dev.ignis.runtime.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsLoaderTest {

  @TempDir Path home;

  @Test
  void defaults_comeFromTheInstallDir() {
    Settings settings = new SettingsLoader(Map.of("IGNIS_CONFIG", home.resolve("none").toString()), Optional.of(home))
        .load(null, null, false);
    assertThat(settings.stateDir()).isEqualTo(Path.of("/var/lib/ignis"));
    assertThat(settings.pluginsDir()).contains(home.resolve("plugins"));
    assertThat(settings.defaultPlugin()).isEqualTo("cni");
  }

  @Test
  void flagsBeatEnvironmentWhichBeatsFiles() throws Exception {
    Files.createDirectories(home.resolve("conf"));
    Files.writeString(home.resolve("conf/ignis.properties"),
        "state.dir=/from/file\nplugins.dir=/from/file/plugins\nnetwork.plugin=flannel\nplugin.cni.conf-dir=/etc/x\n");
    Map<String, String> env = Map.of("IGNIS_CONFIG", home.resolve("none").toString(), "IGNIS_STATE_DIR", "/from/env",
        "IGNIS_PLUGIN_CNI_BIN_PATH", "/opt/bin");
    Settings settings = new SettingsLoader(env, Optional.of(home)).load(null, Path.of("/from/flag"), false);
    assertThat(settings.stateDir()).isEqualTo(Path.of("/from/env"));
    assertThat(settings.pluginsDir()).contains(Path.of("/from/flag"));
    assertThat(settings.defaultPlugin()).isEqualTo("flannel");
    assertThat(settings.pluginSetting("cni", "conf-dir")).contains("/etc/x");
    assertThat(settings.pluginSetting("cni", "bin-path")).contains("/opt/bin");
  }

  @Test
  void withoutInstallDirOrSetting_thereIsNoPluginsDir() {
    Settings settings = new SettingsLoader(Map.of("IGNIS_CONFIG", home.resolve("none").toString()), Optional.empty())
        .load(null, null, false);
    assertThat(settings.pluginsDir()).isEmpty();
  }
}
