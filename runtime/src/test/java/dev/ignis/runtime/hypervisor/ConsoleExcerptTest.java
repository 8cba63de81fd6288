package dev.ignis.runtime.hypervisor;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ConsoleExcerptTest {

  @Test
  void aPanic_isShownWithWhatLedToIt_notTheTraceAfterIt() {
    String console = """
        [    0.30] Run /init as init process
        ignis: the image's user web is not in its /etc/passwd; its command cannot run
        [    1.34] Kernel panic - not syncing: Attempted to kill init! exitcode=0x00000100
        [    1.35] CPU: 0 PID: 1 Comm: sh Not tainted 6.1.192-ignis-microvm #1
        [    1.35] Call Trace:
        [    1.35]  <TASK>
        [    1.35]  dump_stack_lvl+0x33/0x42
        [    1.36] ---[ end Kernel panic - not syncing: Attempted to kill init! exitcode=0x00000100 ]---
        """;
    assertThat(QemuDriver.lastLines(console)).isEqualTo("ignis: the image's user web is not in its /etc/passwd; its"
        + " command cannot run | Kernel panic - not syncing: Attempted to kill init! exitcode=0x00000100");
  }

  @Test
  void withoutAnythingThatExplains_theLastLinesAreShown() {
    assertThat(QemuDriver.lastLines("a\nb\n\nc\nd\n")).isEqualTo("b | c | d");
    assertThat(QemuDriver.lastLines("")).isEqualTo("(none)");
  }
}
