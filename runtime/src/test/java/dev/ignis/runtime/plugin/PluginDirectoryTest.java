package dev.ignis.runtime.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import dev.ignis.spi.NetworkPlugin;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PluginDirectoryTest {

  @TempDir Path dir;

  private Plugins load() {
    return new PluginDirectory(dir, id -> null).load();
  }

  @Test
  void load_ofAValidJar_startsThePluginIsolatedFromTheRuntime() throws Exception {
    PluginJars.write(dir.resolve("recording.jar"), PluginJars.descriptor("recording"), true);
    Plugins plugins = load();
    assertThat(plugins.ids()).containsExactly("recording");
    NetworkPlugin plugin = plugins.get("recording");
    assertThat(((GuardedPlugin) plugin).delegate().getClass().getClassLoader()).isNotSameAs(getClass().getClassLoader());
    assertThat(plugin.description()).isEqualTo("isolated");
    assertThat(plugins.infos()).singleElement().satisfies(info -> {
      assertThat(info.state()).isEqualTo("started");
      assertThat(info.version()).isEqualTo("1.2.3");
      assertThat(info.requires()).isEqualTo(">=2.0.0 & <3.0.0");
    });
    assertThat(plugins.warnings()).isEmpty();
  }

  @Test
  void scan_loadsAPluginsJarOnlyWhenItIsAskedFor_andWarnsOfABadJarWhenItIsTried() throws Exception {
    PluginJars.write(dir.resolve("a-good.jar"), PluginJars.descriptor("recording"), true);
    // Fine on the outside, wrong only once loaded: its plugin's id() is 'recording'.
    PluginJars.write(dir.resolve("b-misnamed.jar"), PluginJars.descriptor("misnamed"), true);
    java.util.List<String> warned = new java.util.ArrayList<>();
    Plugins plugins = new PluginDirectory(dir, id -> null).scan(warned::add);
    assertThat(plugins.get("recording").description()).isEqualTo("isolated");
    assertThat(warned).as("the other jar is not even opened").isEmpty();
    assertThat(plugins.ids()).containsExactly("recording");
    assertThat(warned).singleElement().asString().contains("b-misnamed.jar: its NetworkPlugin.id() is 'recording' but its Plugin-Id is 'misnamed'");
    plugins.infos();
    assertThat(warned).as("once").hasSize(1);
  }

  @Test
  void load_ofAPluginWhoseDependencyIsMissing_skipsItByName_butOptionalOnesDoNotBlock() throws Exception {
    Map<String, String> needsBase = PluginJars.descriptor("recording");
    needsBase.put("Plugin-Dependencies", "base@>=1.0.0, extra?");
    PluginJars.write(dir.resolve("a-needs-base.jar"), needsBase, true);
    Plugins plugins = load();
    assertThat(plugins.ids()).isEmpty();
    assertThat(plugins.warnings()).singleElement().asString().endsWith("a-needs-base.jar: it needs the plugin base,"
        + " which is not installed or did not load; install it in " + dir);

    needsBase.put("Plugin-Dependencies", "extra?");
    Files.delete(dir.resolve("a-needs-base.jar"));
    PluginJars.write(dir.resolve("b-optional-extra.jar"), needsBase, true); // a new name: the JDK caches opened jars
    Plugins optional = load();
    assertThat(optional.ids()).as(String.join("\n", optional.warnings())).containsExactly("recording");
  }

  @Test
  void load_skipsBadJarsWithOneWarningEach_andStillLoadsTheGoodOne() throws Exception {
    PluginJars.write(dir.resolve("a-good.jar"), PluginJars.descriptor("recording"), true);
    Files.write(dir.resolve("b-corrupt.jar"), new byte[] {1, 2, 3, 4});
    PluginJars.write(dir.resolve("c-duplicate.jar"), PluginJars.descriptor("recording"), true);
    Map<String, String> future = PluginJars.descriptor("future");
    future.put("Plugin-Requires", ">=3.0.0");
    PluginJars.write(dir.resolve("d-future.jar"), future, true);
    PluginJars.write(dir.resolve("e-no-manifest.jar"), null, true);
    PluginJars.write(dir.resolve("f-no-service.jar"), PluginJars.descriptor("quiet"), false);
    PluginJars.write(dir.resolve("g-wrong-id.jar"), PluginJars.descriptor("other-name"), true);
    Files.writeString(dir.resolve("readme.txt"), "not a jar");

    Plugins plugins = load();

    assertThat(plugins.ids()).containsExactly("recording");
    assertThat(plugins.warnings()).hasSize(6).allSatisfy(line -> assertThat(line).doesNotContain("\n"));
    assertThat(String.join("\n", plugins.warnings()))
        .contains("b-corrupt.jar: it is not a readable jar")
        .contains("c-duplicate.jar: plugin id 'recording' is also claimed by a-good.jar, which comes first by file name;"
            + " remove one of the two jars")
        .contains("d-future.jar: it requires SPI >=3.0.0 but this runtime provides SPI " + dev.ignis.spi.SpiVersion.CURRENT)
        .contains("e-no-manifest.jar: it has no META-INF/MANIFEST.MF")
        .contains("f-no-service.jar: it declares no network plugin")
        .contains("g-wrong-id.jar: its NetworkPlugin.id() is 'recording' but its Plugin-Id is 'other-name'");
    assertThat(plugins.get("recording").id()).isEqualTo("recording");
  }

  @Test
  void get_ofAnUnknownId_listsTheIdsThereAre() throws Exception {
    PluginJars.write(dir.resolve("recording.jar"), PluginJars.descriptor("recording"), true);
    assertThatThrownBy(() -> load().get("nope"))
        .isInstanceOfSatisfying(IgnisException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND))
        .hasMessage("unknown network plugin 'nope'; available: recording (see 'runtime plugins')");
  }

  @Test
  void get_ofASkippedPlugin_saysWhyItWasSkipped() throws Exception {
    Map<String, String> future = PluginJars.descriptor("recording");
    future.put("Plugin-Requires", ">=9.0.0");
    PluginJars.write(dir.resolve("recording.jar"), future, true);
    assertThatThrownBy(() -> load().get("recording")).hasMessageContaining("was skipped: it requires SPI >=9.0.0");
  }

  @Test
  void load_ofAMissingDirectory_saysHowToPointElsewhere() {
    assertThatThrownBy(() -> new PluginDirectory(dir.resolve("missing"), id -> null).load())
        .hasMessageContaining("does not exist; pass --plugins-dir DIR or set IGNIS_PLUGINS_DIR");
  }

  @Test
  void aJarClaimingABundledPluginsId_neverWinsOverTheBundledJar_whateverItsFileName() throws Exception {
    Map<String, String> impostor = PluginJars.descriptor("recording");
    impostor.put("Plugin-Version", "9.9.9");
    PluginJars.write(dir.resolve("0-dup.jar"), impostor, true);
    Path shipped = PluginJars.write(dir.resolve("ignis-plugin-recording.jar"), PluginJars.descriptor("recording"), true);
    Path install = Files.createDirectories(dir.resolve("install/lib")).getParent();
    Files.writeString(install.resolve("lib/bundled-plugins.sha256"), sha256(shipped) + "  ignis-plugin-recording.jar\n");

    Plugins plugins = new PluginDirectory(dir, BundledPlugins.of(java.util.Optional.of(install)), id -> null).load();

    assertThat(plugins.infos()).filteredOn(PluginInfo::isStarted).singleElement()
        .satisfies(info -> assertThat(info.version()).isEqualTo("1.2.3"));
    assertThat(plugins.warnings()).singleElement().asString().contains("0-dup.jar: plugin id 'recording' is also claimed by"
        + " ignis-plugin-recording.jar, the plugin this installation ships; remove one of the two jars");
    // Without the list, file names decide, as before.
    assertThat(load().infos()).filteredOn(PluginInfo::isStarted).singleElement()
        .satisfies(info -> assertThat(info.version()).isEqualTo("9.9.9"));
  }

  private static String sha256(Path file) throws Exception {
    return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
  }
}
