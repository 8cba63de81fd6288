package dev.ignis.runtime.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManPagesTest {

  @TempDir Path dir;

  @Test
  void aPagePerCommand_andTheCompletionScripts() throws Exception {
    ManPages.main(new String[] {dir.toString(), "1.2.3"});
    Path man1 = dir.resolve("man/man1");
    try (Stream<Path> pages = Files.list(man1)) {
      assertThat(pages.map(p -> p.getFileName().toString()))
          .contains("runtime.1", "runtime-run.1", "runtime-ps.1", "runtime-image-import.1", "runtime-kernel-ls.1",
              "runtime-completion.1", "runtime-port-add.1")
          .doesNotContain("runtime-__complete.1", "runtime-help.1");
    }
    String run = Files.readString(man1.resolve("runtime-run.1"));
    assertThat(run).startsWith(".TH RUNTIME-RUN 1 \"\" \"Ignis 1.2.3\" \"Ignis Manual\"\n")
        .contains(".SH NAME\nruntime\\-run \\- Create a VM and start it\n")
        .contains(".SH SYNOPSIS", ".SH OPTIONS", "\\fB\\-l\\fR, \\fB\\-\\-label\\fR \\fIKEY=VALUE\\fR",
            ".SH GLOBAL OPTIONS", "\\fB\\-\\-state\\-dir\\fR", ".SH EXIT STATUS", "\\fBruntime\\fR(1)")
        .contains("(default: auto)").doesNotContain("${");
    assertThat(Files.readString(man1.resolve("runtime-ps.1"))).contains("table, json or yaml (default: table)");
    assertThat(Files.readString(man1.resolve("runtime.1"))).contains(".SH COMMANDS", "\\fBruntime\\-run\\fR(1)")
        .contains(".SH ENVIRONMENT");
    assertThat(Files.readString(dir.resolve("bash-completion/completions/runtime"))).isEqualTo(CompletionCommand.BASH);
    assertThat(Files.readString(dir.resolve("zsh/site-functions/_runtime"))).isEqualTo(CompletionCommand.ZSH);
  }

  @Test
  void text_isEscapedForTroff() {
    assertThat(ManPages.escape(".start\n'quote\na-b c\\d")).isEqualTo("\\&.start\n\\&'quote\na\\-b c\\ed");
  }
}
