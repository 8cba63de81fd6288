package dev.ignis.runtime.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ignis.spi.IgnisException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.channels.Channels;
import org.junit.jupiter.api.Test;

class SerialConsoleTest {

  private static final byte[] KEYS = SerialConsole.detachKeys("ctrl-p,ctrl-q");

  private static String pumped(byte[] typed, SerialConsole.End expected) {
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    assertThat(SerialConsole.pump(new ByteArrayInputStream(typed), Channels.newChannel(console), KEYS))
        .isEqualTo(expected);
    return console.toString(java.nio.charset.StandardCharsets.ISO_8859_1);
  }

  @Test
  void detachKeys_areDockersNotation() {
    assertThat(KEYS).containsExactly(0x10, 0x11);
    assertThat(SerialConsole.detachKeys("ctrl-],x")).containsExactly(0x1d, 'x');
    assertThat(SerialConsole.describe(KEYS)).isEqualTo("Ctrl-P Ctrl-Q");
    assertThatThrownBy(() -> SerialConsole.detachKeys("ctrl-pp")).isInstanceOf(IgnisException.class)
        .hasMessageContaining("'ctrl-pp' is not a key");
    assertThatThrownBy(() -> SerialConsole.detachKeys("")).isInstanceOf(IgnisException.class);
  }

  @Test
  void typedBytes_goToTheGuest_untilTheDetachKeys_whichDoNot() {
    assertThat(pumped(new byte[] {'l', 's', '\r', 3, 0x10, 0x11, 'x'}, SerialConsole.End.DETACHED))
        .isEqualTo("ls\r\u0003");
    assertThat(pumped(new byte[] {0x10, 'a', 0x10, 0x10, 0x11}, SerialConsole.End.DETACHED))
        .as("a started sequence that breaks off is sent").isEqualTo("\u0010a\u0010");
    assertThat(pumped(new byte[] {'e', 'c', 'h', 'o'}, SerialConsole.End.INPUT_ENDED)).isEqualTo("echo");
  }
}
