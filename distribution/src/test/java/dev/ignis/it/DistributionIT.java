package dev.ignis.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("integration")
class DistributionIT {

  @TempDir Path work;

  @Test
  void archive_holdsTheLauncherLibrariesPluginsAndConfiguration() {
    Path tarball = Ignis.DIST.getParent().getParent().resolve(Ignis.DIST.getFileName() + ".tar.gz");
    assertThat(tarball).isRegularFile();
    assertThat(Ignis.DIST.resolve("bin/runtime")).isExecutable();
    assertThat(Ignis.DIST.resolve("conf/ignis.properties")).isRegularFile();
    assertThat(Ignis.DIST.resolve("lib")).isDirectoryContaining("glob:**/ignis-runtime-*.jar")
        .isDirectoryContaining("glob:**/ignis-spi-*.jar");
    assertThat(Ignis.DIST.resolve("plugins")).isDirectoryContaining("glob:**/ignis-plugin-cni-*.jar")
        .isDirectoryContaining("glob:**/ignis-plugin-docker-bridge-*.jar")
        .isDirectoryContaining("glob:**/ignis-plugin-flannel-*.jar");
  }

  @Test
  void everyBundledPluginJar_declaresItsOwnIdVersionAndSpiRange() throws IOException {
    try (var jars = Files.list(Ignis.DIST.resolve("plugins"))) {
      for (Path jar : jars.toList()) {
        try (JarFile file = new JarFile(jar.toFile())) {
          Attributes attributes = file.getManifest().getMainAttributes();
          String name = jar.getFileName().toString();
          assertThat(name).startsWith("ignis-plugin-" + attributes.getValue("Plugin-Id") + "-");
          assertThat(attributes.getValue("Plugin-Version")).isNotBlank();
          // The lowest SPI each one uses: flannel's agent runs as a job of ignisd (2.1); cni reads
          // the network a VM chose (2.2).
          assertThat(attributes.getValue("Plugin-Requires")).isEqualTo(switch (attributes.getValue("Plugin-Id")) {
            case "flannel" -> ">=2.1.0 & <3.0.0";
            case "cni" -> ">=2.2.0 & <3.0.0";
            default -> ">=2.0.0 & <3.0.0";
          });
          assertThat(file.getEntry("META-INF/services/dev.ignis.spi.NetworkPlugin")).isNotNull();
          assertThat(file.stream().map(e -> e.getName())).noneMatch(n -> n.startsWith("dev/ignis/spi/"))
              .noneMatch(n -> n.startsWith("org/slf4j/"));
        }
      }
    }
  }

  @Test
  void launcher_runsFromAnyDirectoryAndListsTheBundledPlugins() throws Exception {
    Ignis ignis = new Ignis(work);
    Ignis.Result version = ignis.launch("--version");
    assertThat(version.status()).isZero();
    assertThat(version.out()).startsWith("runtime ").contains("plugin SPI " + dev.ignis.spi.SpiVersion.CURRENT);

    // IGNIS_PLUGINS_DIR points at an empty dir: the launcher's own plugins dir is the default.
    Ignis.Result plugins = ignis.launch("--plugins-dir", Ignis.DIST.resolve("plugins").toString(), "plugins");
    assertThat(plugins.status()).as(plugins.err()).isZero();
    assertThat(plugins.out()).contains("cni (default)").contains("docker-bridge").contains("flannel");
    assertThat(plugins.err()).isEmpty();

    Ignis.Result usage = ignis.launch("frobnicate");
    assertThat(usage.status()).isEqualTo(2);
    assertThat(usage.err()).contains("Unmatched argument").doesNotContain("Exception");
  }

  @Test
  void everyJavaOnThisMachine_runsCommandsWithoutAWarning() throws Exception {
    // JDK 24+ warns on every sun.misc.Unsafe call (Guava 31, which Guice asks for, made four).
    java.util.Set<Path> jdks = new java.util.TreeSet<>();
    try (var dirs = Files.list(Path.of("/usr/lib/jvm"))) {
      for (Path dir : dirs.toList()) {
        if (Files.isExecutable(dir.resolve("bin/java"))) {
          jdks.add(dir.toRealPath());
        }
      }
    }
    assertThat(jdks).as("JDKs in /usr/lib/jvm").isNotEmpty();
    for (Path jdk : jdks) {
      Ignis ignis = new Ignis(Files.createDirectories(work.resolve(jdk.getFileName().toString())))
          .withEnv("JAVA_HOME", jdk.toString());
      for (String daemon : new String[] {"off", "on"}) {
        ignis.withEnv("IGNIS_DAEMON", daemon);
        for (String[] command : new String[][] {{"--plugins-dir", Ignis.DIST.resolve("plugins").toString(), "plugins"},
            {"ps", "-a"}}) {
          Ignis.Result result = ignis.launch(command);
          assertThat(result.status()).as("%s with %s, daemon %s: %s", String.join(" ", command), jdk, daemon,
              result.err()).isZero();
          assertThat(result.err()).as("%s with %s, daemon %s", String.join(" ", command), jdk, daemon).isEmpty();
        }
      }
      // ignisd ran on this JDK too (the client started it with the same JAVA_HOME): its log is clean.
      assertThat(ignis.launch("daemon", "stop").status()).isZero();
      assertThat(Files.readString(ignis.state.resolve("ignisd.log"))).as("ignisd's log on %s", jdk)
          .doesNotContain("WARNING").doesNotContain("ERROR");
    }
    System.out.println("measured: commands without warnings on " + jdks);
  }

  @Test
  void aCopiedInstallation_startsFromAnArchiveOfItsOwn() throws Exception {
    Ignis ignis = new Ignis(work);
    assertThat(ignis.launch("version").status()).isZero(); // the original has its archive
    java.util.List<String> originals = archives(Ignis.DIST);
    assertThat(originals).isNotEmpty();
    Path copy = work.resolve("copied-ignis");
    assertThat(new ProcessBuilder("cp", "-a", Ignis.DIST.toString(), copy.toString()).start().waitFor()).isZero();
    // -Xshare:on refuses to start with an archive that does not match the class path (the
    // launcher's default, -Xshare:auto, would silently run without it).
    ProcessBuilder strict = new ProcessBuilder(copy.resolve("bin/runtime").toString(), "version")
        .redirectErrorStream(true);
    strict.environment().putAll(ignis.environment());
    strict.environment().put("IGNIS_JAVA_OPTS", "-Xshare:on");
    Process process = strict.start();
    String output = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(process.waitFor()).as("the copy with -Xshare:on: %s", output).isZero();
    assertThat(archives(copy)).as("the copy's archives: its own, not the original's").isNotEmpty()
        .doesNotContainAnyElementsOf(originals);
  }

  private static java.util.List<String> archives(Path installation) throws IOException {
    try (var files = Files.list(installation.resolve("lib"))) {
      return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".jsa")).toList();
    }
  }

  @Test
  void aDroppedInJarClaimingCni_neverTakesOverTheBundledOne_evenSortingFirst() throws Exception {
    Ignis ignis = new Ignis(work).withAllPlugins();
    // The example plugin's classes under a manifest that claims the id 'cni'.
    Path impostor = ignis.plugins.resolve("0-dupcni-0.1.0.jar");
    try (JarFile source = new JarFile(Ignis.EXAMPLE_PLUGIN.toFile());
        var out = new java.util.jar.JarOutputStream(Files.newOutputStream(impostor), withId(source.getManifest(), "cni"))) {
      for (var entry : source.stream().filter(e -> !e.getName().equals("META-INF/MANIFEST.MF")).toList()) {
        out.putNextEntry(new java.util.jar.JarEntry(entry.getName()));
        source.getInputStream(entry).transferTo(out);
      }
    }
    Ignis.Result plugins = ignis.run("plugins");
    assertThat(plugins.status()).as(plugins.err()).isZero();
    assertThat(plugins.out().lines().filter(l -> l.startsWith("cni ") && l.contains(" started ")))
        .singleElement().asString().contains("ignis-plugin-cni-");
    assertThat(plugins.out().lines().filter(l -> l.contains("0-dupcni"))).singleElement().asString().contains(" skipped ")
        .doesNotContain("(default)");
    assertThat(plugins.err()).contains("0-dupcni-0.1.0.jar: plugin id 'cni' is also claimed by ignis-plugin-cni-")
        .contains("the plugin this installation ships");
    assertThat(ignis.state.resolve("plugins/cni")).as("the impostor got no state dir").doesNotExist();
  }

  private static java.util.jar.Manifest withId(java.util.jar.Manifest manifest, String id) {
    java.util.jar.Manifest copy = new java.util.jar.Manifest(manifest);
    copy.getMainAttributes().putValue("Plugin-Id", id);
    return copy;
  }
}
