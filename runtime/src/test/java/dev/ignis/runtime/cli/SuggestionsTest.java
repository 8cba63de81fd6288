package dev.ignis.runtime.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SuggestionsTest {

  private static final List<String> COMMANDS = List.of("run", "create", "start", "stop", "kill", "rm", "ps", "inspect",
      "logs", "port", "image", "kernel", "bootstrap", "--filter", "--format");

  @Test
  void aSwapOrAMissingLetter_findsTheCommand_andFarWordsFindNothing() {
    assertThat(Suggestions.nearest("sotp", COMMANDS)).containsExactly("stop");
    assertThat(Suggestions.nearest("sto", COMMANDS)).containsExactly("stop");
    assertThat(Suggestions.nearest("--filtr", COMMANDS)).containsExactly("--filter");
    assertThat(Suggestions.nearest("kernle", COMMANDS)).containsExactly("kernel");
    assertThat(Suggestions.nearest("deploy", COMMANDS)).isEmpty();
    assertThat(Suggestions.nearest("x", COMMANDS)).as("one letter is too short to guess from").isEmpty();
  }

  @Test
  void enumValues_inUsageErrors_areLowerCase() {
    org.assertj.core.api.Assertions.assertThat(Cli.lowerCaseEnums("Invalid value for option '--output': expected one of"
        + " [TABLE, JSON, YAML] (case-insensitive) but was 'xml'"))
        .isEqualTo("Invalid value for option '--output': expected one of table, json, yaml but was 'xml'");
  }
}
