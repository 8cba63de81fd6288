package dev.ignis.runtime.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintStream;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

class CompletionTest {

  private static final Completion.Sources SOURCES = new Completion.Sources(() -> List.of("web", "web-2", "db"),
      () -> List.of("debian:12", "busybox:1"), () -> List.of("default", "deb-6.1"), () -> List.of("cni", "flannel"));

  private static List<String> complete(String... words) {
    CommandLine root = new CommandLine(new RootCommand(new PrintStream(PrintStream.nullOutputStream()),
        new PrintStream(PrintStream.nullOutputStream()), null, CliSession.thisProcess()));
    Subcommands.register(root, new String[0]);
    CommandSpec spec = root.getCommandSpec();
    return Completion.of(spec, List.of(words), SOURCES).stream().map(Completion.Candidate::word).toList();
  }

  @Test
  void commands_byTheirStart_withoutHiddenOnes() {
    assertThat(complete("st")).containsExactly("start", "stop");
    assertThat(complete("")).contains("run", "ps", "completion", "help").doesNotContain("__complete");
    assertThat(complete("__")).isEmpty();
    assertThat(complete("image", "")).containsExactly("import", "ls", "inspect", "rm");
    assertThat(complete("help", "i")).containsExactly("inspect", "image");
  }

  @Test
  void enumValues_inLowerCase_alsoAfterEquals() {
    assertThat(complete("ps", "-o", "")).containsExactly("table", "json", "yaml");
    assertThat(complete("ps", "--output=j")).containsExactly("--output=json");
    assertThat(complete("inspect", "-o", "y")).containsExactly("yaml");
    assertThat(complete("completion", "")).containsExactly("bash", "zsh");
    assertThat(complete("daemon", "")).containsExactly("status", "start", "stop");
    assertThat(complete("run", "--accel", "")).containsExactly("auto", "kvm", "tcg");
  }

  @Test
  void names_ofVmsImagesKernelsAndPlugins_whereAnArgumentTakesOne() {
    assertThat(complete("inspect", "we")).containsExactly("web", "web-2");
    assertThat(complete("rm", "-f", "web", "")).containsExactly("web", "web-2", "db");
    assertThat(complete("port", "ls", "d")).containsExactly("db");
    assertThat(complete("run", "--name", "x", "deb")).containsExactly("debian:12");
    assertThat(complete("run", "--kernel", "")).containsExactly("default", "deb-6.1");
    assertThat(complete("--network-plugin", "")).containsExactly("cni", "flannel");
    assertThat(complete("run", "--network", "f")).containsExactly("flannel");
    assertThat(complete("ps", "-f", "st")).containsExactly("status=");
    assertThat(complete("ps", "-f", "status=r")).containsExactly("status=running");
    assertThat(complete("ps", "--filter", "plugin=")).containsExactly("plugin=cni", "plugin=flannel");
    assertThat(complete("run", "--name", "")).as("a new name: nothing to offer").isEmpty();
  }

  @Test
  void options_ofTheCommand_andTheGlobalOnes() {
    assertThat(complete("ps", "--f")).containsExactly("--filter", "--format");
    assertThat(complete("ps", "--st")).containsExactly("--state-dir");
    assertThat(complete("run", "--la")).containsExactly("--label");
    assertThat(complete("exec", "web", "--", "-")).as("after --: the guest command's").isEmpty();
  }
}
