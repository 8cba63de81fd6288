package dev.ignis.runtime.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ignis.runtime.plugin.Plugins;
import dev.ignis.runtime.testplugin.RecordingPlugin;
import dev.ignis.spi.AttachRequest;
import dev.ignis.spi.VmRef;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ProgressTest {

  @Test
  void onATerminal_namesThePluginCallTheCommandWaitsOn_andClearsTheLineAtTheEnd() {
    RecordingPlugin plugin = new RecordingPlugin();
    plugin.misbehave = "slow";
    Plugins plugins = Plugins.of(List.of(plugin), id -> null);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (Progress progress = Progress.onTerminal(new PrintStream(bytes, true, StandardCharsets.UTF_8),
        "starting VM web", plugins::waitingOn)) {
      plugins.get("recording").attach(AttachRequest.builder(VmRef.of("0123456789abcdef", "web"))
          .netnsPath("/run/netns/ignis-0123456789abcdef").build());
    }
    String shown = bytes.toString(StandardCharsets.UTF_8);
    assertThat(shown).contains("starting VM web... 1s, waiting for network plugin 'recording' (attach, 1 s of at most"
        + " 300 s)").endsWith("\r\033[K");
    assertThat(plugins.waitingOn()).as("nothing once the call returned").isEmpty();
  }

  @Test
  void elsewhere_showsNothing() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (Progress progress = Progress.of(new PrintStream(bytes, true, StandardCharsets.UTF_8), "x", false, Optional::empty)) {
      assertThat(progress).isNotNull();
    }
    assertThat(bytes.size()).isZero();
  }
}
