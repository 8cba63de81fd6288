package dev.ignis.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The promise of {@link SpiVersion}: a plugin compiled against this SPI runs unchanged on a
 * next minor version that adds a component to the values plugins make. The test builds that next
 * version from these sources (a new last component on {@link Attachment} and {@link
 * AttachRequest}), compiles a plugin against this one, and runs it on both.
 */
class SpiGrowthTest {

  private static final Path SOURCES = Path.of("src/main/java/dev/ignis/spi");
  private static final Path PLUGINS = Path.of("src/test/resources/growth");

  @TempDir Path dir;

  @Test
  void aPluginBuiltAgainstThisSpi_runsOnANextMinorThatAddsFields() throws Exception {
    Path current = compileSpi("current", UnaryOperator.identity());
    Path next = compileSpi("next", SpiGrowthTest::addComponents);
    Path plugin = compile("growing", List.of(PLUGINS.resolve("GrowingPlugin.java")), current);

    assertThat(recordComponents(next, "Attachment")).as("the next SPI grew")
        .isEqualTo(recordComponents(current, "Attachment") + 1);
    String onCurrent = exercise(plugin, current, "growth.GrowingPlugin");
    assertThat(onCurrent).contains("eth1", "[10.9.0.2/30, fd00::2/64]", "[::1]:8081:81/udp");
    assertThat(exercise(plugin, next, "growth.GrowingPlugin")).isEqualTo(onCurrent);
  }

  @Test
  void aPluginCallingACanonicalConstructor_breaksOnTheNextMinor_asTheJavadocWarns() throws Exception {
    Path current = compileSpi("current", UnaryOperator.identity());
    Path next = compileSpi("next", SpiGrowthTest::addComponents);
    Path brittle = compile("brittle", List.of(PLUGINS.resolve("BrittlePlugin.java")), current);

    assertThat(exercise(brittle, current, "growth.BrittlePlugin")).isEqualTo("brittle");
    assertThatThrownBy(() -> exercise(brittle, next, "growth.BrittlePlugin"))
        .hasRootCauseInstanceOf(NoSuchMethodError.class);
  }

  /** The next minor: one more last component on the two values that grow most, passed as "" wherever they are made. */
  private static String addComponents(String source) {
    for (String record : List.of("Attachment", "AttachRequest")) {
      String header = "public record " + record + "(";
      int open = source.indexOf(header);
      if (open >= 0) {
        int close = matchingParen(source, open + header.length() - 1);
        source = source.substring(0, close) + ",\n    String addedInNextMinor" + source.substring(close);
      }
      source = appendArgument(source, "new " + record + "(", "\"\"");
    }
    return source;
  }

  private static String appendArgument(String source, String call, String argument) {
    StringBuilder out = new StringBuilder();
    int from = 0;
    for (int at = source.indexOf(call); at >= 0; at = source.indexOf(call, from)) {
      int close = matchingParen(source, at + call.length() - 1);
      out.append(source, from, close).append(", ").append(argument);
      from = close;
    }
    return out.append(source.substring(from)).toString();
  }

  private static int matchingParen(String text, int open) {
    int depth = 0;
    for (int i = open; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '(') {
        depth++;
      } else if (c == ')' && --depth == 0) {
        return i;
      }
    }
    throw new IllegalStateException("unbalanced parentheses from " + open);
  }

  private Path compileSpi(String name, UnaryOperator<String> change) throws IOException {
    Path src = Files.createDirectories(dir.resolve(name + "-src/dev/ignis/spi"));
    List<Path> files = new ArrayList<>();
    try (Stream<Path> sources = Files.list(SOURCES)) {
      for (Path source : sources.filter(p -> p.toString().endsWith(".java")).toList()) {
        Path copy = src.resolve(source.getFileName());
        Files.writeString(copy, change.apply(Files.readString(source)));
        files.add(copy);
      }
    }
    return compile(name, files, null);
  }

  private Path compile(String name, List<Path> sources, Path classPath) throws IOException {
    Path out = Files.createDirectories(dir.resolve(name + "-classes"));
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    List<String> args = new ArrayList<>(List.of("--release", "17", "-nowarn", "-d", out.toString()));
    if (classPath != null) {
      args.addAll(List.of("-cp", classPath.toString()));
    }
    sources.forEach(source -> args.add(source.toString()));
    assertThat(javac.run(null, null, null, args.toArray(String[]::new))).as("javac of " + name).isZero();
    return out;
  }

  private static int recordComponents(Path spi, String record) throws Exception {
    try (URLClassLoader loader = loader(spi)) {
      return loader.loadClass("dev.ignis.spi." + record).getRecordComponents().length;
    }
  }

  private static String exercise(Path plugin, Path spi, String className) throws Exception {
    try (URLClassLoader loader = loader(plugin, spi)) {
      return (String) loader.loadClass(className).getMethod("exercise").invoke(null);
    } catch (InvocationTargetException e) {
      throw new IllegalStateException("the plugin failed on " + spi.getFileName(), e.getCause());
    }
  }

  /** A loader that sees only the given dirs and the JDK, not the SPI this test runs with. */
  private static URLClassLoader loader(Path... dirs) throws IOException {
    List<URL> urls = new ArrayList<>();
    for (Path d : dirs) {
      urls.add(d.toUri().toURL());
    }
    return new URLClassLoader(urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader());
  }
}
