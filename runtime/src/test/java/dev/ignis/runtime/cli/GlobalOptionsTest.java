package dev.ignis.runtime.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class GlobalOptionsTest {

  private static String hoisted(String line) {
    return String.join(" ", GlobalOptions.hoisted(line.split(" ")));
  }

  @Test
  void globalOptionsAfterTheCommand_moveInFrontOfIt() {
    assertThat(hoisted("ps --state-dir /s -a")).isEqualTo("--state-dir /s ps -a");
    assertThat(hoisted("image ls -v --plugins-dir=/p")).isEqualTo("-v --plugins-dir=/p image ls");
    assertThat(hoisted("--network-plugin cni run --name web -v")).isEqualTo("--network-plugin cni -v run --name web");
    assertThat(hoisted("-v ps")).isEqualTo("-v ps");
  }

  @Test
  void wordsThatBelongToSomeoneElse_stayWhereTheyAre() {
    assertThat(hoisted("exec web -- ls -v")).isEqualTo("exec web -- ls -v");
    assertThat(hoisted("ssh web ps --state-dir x")).isEqualTo("ssh web ps --state-dir x");
    assertThat(hoisted("bootstrap init -v")).isEqualTo("bootstrap init -v");
    assertThat(hoisted("exec -v web -- true")).isEqualTo("-v exec web -- true");
    assertThat(hoisted("run --cmdline x -- -v")).isEqualTo("run --cmdline x -- -v");
  }
}
