package dev.ignis.runtime.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ignis.runtime.config.Settings;
import dev.ignis.runtime.stdio.RoutedStdio;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DefaultPluginContextTest {

  @Test
  void aNoticeIsSaidOncePerCommand_alsoInARuntimeThatRunsMany() {
    ByteArrayOutputStream said = new ByteArrayOutputStream();
    PrintStream err = new PrintStream(said, true, StandardCharsets.UTF_8);
    Settings settings = new Settings(Path.of("/nonexistent"), Optional.empty(), "cni", Path.of("/nonexistent"),
        Optional.empty(), Map.of(), Map.of(), false);
    DefaultPluginContext context = new DefaultPluginContext("p", settings, null, err, PluginJobs.none());

    context.notice("deprecated");
    context.notice("deprecated");
    context.notice("another hint");
    for (int command = 0; command < 2; command++) { // two commands of ignisd, each with its own streams
      PrintStream none = new PrintStream(PrintStream.nullOutputStream());
      try (RoutedStdio.Scope scope = RoutedStdio.bind(new RoutedStdio.Target(none, none, false))) {
        context.notice("deprecated");
        context.notice("deprecated");
      }
    }
    assertThat(said.toString(StandardCharsets.UTF_8)).isEqualTo("note [p]: deprecated\nnote [p]: another hint\n"
        + "note [p]: deprecated\nnote [p]: deprecated\n");
  }
}
