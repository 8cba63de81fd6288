package dev.ignis.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The command line in a real terminal (tmux), as a person uses it: completion in bash and zsh,
 * the progress line, the serial console with {@code run -i} and {@code attach}, and Ctrl-C.
 */
@Tag("integration")
class TerminalIT extends NetworkedVmTest {

  private Map<String, String> environment() {
    Map<String, String> environment = new HashMap<>(ignis.environment());
    environment.put("PATH", Ignis.DIST.resolve("bin").toAbsolutePath() + ":" + System.getenv("PATH"));
    environment.put("PS1", "$ ");
    environment.put("TERM", "xterm");
    return environment;
  }

  private Tmux bash() throws Exception {
    return new Tmux(environment(), work, "bash", "--norc", "--noprofile");
  }

  @Test
  void bashCompletion_offersCommandsOptionsValuesAndVmNames() throws Exception {
    ignis.ok("create", "--name", "web-term");
    ignis.ok("create", "--name", "db-term");
    try (Tmux terminal = bash()) {
      terminal.type("source <(runtime completion bash)");
      terminal.press("Enter");
      terminal.type("runtime insp");
      terminal.press("Tab");
      terminal.await("$ runtime inspect ", 20);
      terminal.type("web-t");
      terminal.press("Tab");
      terminal.await("$ runtime inspect web-term ", 20);
      terminal.press("C-u");
      terminal.type("runtime ps -o ");
      terminal.press("Tab", "Tab");
      terminal.await("the output formats in lower case", s -> s.contains("json") && s.contains("table")
          && s.contains("yaml") && !s.contains("JSON"), 20);
      terminal.press("C-u");
      terminal.clear();
      terminal.type("runtime ps --output=ya");
      terminal.press("Tab");
      terminal.await("$ runtime ps --output=yaml ", 20);
      terminal.press("C-u");
      terminal.type("runtime ps -f sta");
      terminal.press("Tab");
      terminal.type("running");
      terminal.await("a filter key, without a space after '='", s -> s.contains("$ runtime ps -f status=running"), 20);
      terminal.press("C-u");
      terminal.type("runtime rm ");
      terminal.press("Tab", "Tab");
      terminal.await("both VM names", s -> s.contains("web-term") && s.contains("db-term"), 20);
    }
  }

  @Test
  void manPages_comeWithTheDistribution_onePerCommand() throws Exception {
    Path man = Ignis.DIST.resolve("share/man").toAbsolutePath();
    ProcessBuilder builder = new ProcessBuilder("man", "-P", "cat", "runtime-run").redirectErrorStream(true);
    builder.environment().put("MANPATH", man.toString());
    builder.environment().put("MANWIDTH", "100");
    Process process = builder.start();
    String page = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(process.waitFor()).as(page).isZero();
    assertThat(page).contains("runtime-run - Create a VM and start it").contains("SYNOPSIS").contains("--label KEY=VALUE")
        .contains("GLOBAL OPTIONS").contains("EXIT STATUS");
    for (String command : new String[] {"runtime", "runtime-attach", "runtime-image-import", "runtime-completion"}) {
      assertThat(man.resolve("man1/" + command + ".1")).isRegularFile();
    }
    assertThat(Ignis.DIST.resolve("share/bash-completion/completions/runtime")).isRegularFile();
    assertThat(Ignis.DIST.resolve("share/zsh/site-functions/_runtime")).isRegularFile();
  }

  @Test
  void zshCompletion_offersCommandsWithTheirDescriptions() throws Exception {
    ignis.ok("create", "--name", "zsh-term");
    Files.writeString(work.resolve(".zshrc"), "autoload -U compinit && compinit -u\nPROMPT='%% '\n"
        + "source <(runtime completion zsh)\n");
    Map<String, String> environment = environment();
    environment.put("ZDOTDIR", work.toString());
    try (Tmux terminal = new Tmux(environment, work, "zsh")) {
      terminal.await("% ", 20);
      terminal.type("runtime insp");
      terminal.press("Tab");
      terminal.await("% runtime inspect ", 20);
      terminal.type("zsh-");
      terminal.press("Tab");
      terminal.await("% runtime inspect zsh-term ", 20);
      terminal.press("C-u");
      terminal.type("runtime st");
      terminal.press("Tab");
      terminal.await("start and stop with what they do", s -> s.contains("start") && s.contains("stop")
          && s.contains("Start created, stopped"), 20);
    }
  }

  @Test
  void runInteractive_givesTheConsole_ctrlCReachesTheGuest_andTheKeysDetach() throws Exception {
    try (Tmux terminal = bash()) {
      terminal.type("runtime run -it --name con"); // -t as in Docker's habit: the console is a terminal already
      terminal.press("Enter");
      terminal.await("attached to the serial console of VM 'con'; Ctrl-P Ctrl-Q detaches", 120);
      terminal.press("Enter");
      terminal.await("con:/# ", 20);
      terminal.type("echo $((6 * 7))");
      terminal.press("Enter");
      terminal.await("the guest's answer", s -> s.lines().anyMatch(l -> l.strip().equals("42")), 20);
      terminal.type("sleep 300; echo slept");
      terminal.press("Enter");
      Thread.sleep(500);
      terminal.press("C-c");
      terminal.await("the prompt back: Ctrl-C went to the guest's sleep, not to runtime", s -> s.strip()
          .endsWith("con:/#"), 20);
      assertThat(terminal.screen().lines()).doesNotContain("slept");
      terminal.press("C-p", "C-q");
      terminal.await("detached from VM 'con'; it keeps running", 20);
      assertThat(ignis.ok("ps", "-f", "name=con", "--format", "{{.status}}").strip()).isEqualTo("running");

      terminal.clear(); // logs -f follows the console until Ctrl-C, which ends it quietly
      terminal.type("runtime logs -f con; echo status:$?");
      terminal.press("Enter");
      terminal.await("IGNIS-READY con", 30);
      terminal.press("C-c");
      terminal.await("status:130", 30);
      assertThat(terminal.screen()).doesNotContain("error");

      terminal.clear();
      terminal.type("runtime attach con");
      terminal.press("Enter");
      terminal.await("attached to the serial console of VM 'con'", 30);
      terminal.press("Enter");
      terminal.await("con:/# ", 20);
      terminal.type("poweroff -f");
      terminal.press("Enter");
      terminal.await("the console of VM 'con' closed; the VM is ", 60);
      terminal.await("the shell's prompt back", s -> s.strip().endsWith("$"), 20);
    }
  }

  @Test
  void progress_isClearedBeforeTheAnswer_inProcessAndThroughIgnisd_andCtrlC_cancelsARun() throws Exception {
    Map<String, String> inProcess = environment();
    inProcess.put("IGNIS_PROGRESS_DELAY_MS", "0"); // drawn at once: a VM may boot within the usual second
    Map<String, String> throughDaemon = new HashMap<>(inProcess);
    throughDaemon.remove("IGNIS_DAEMON"); // the thin client, which starts ignisd for this state dir
    for (Map<String, String> environment : java.util.List.of(inProcess, throughDaemon)) {
      try (Tmux terminal = new Tmux(environment, work, "bash", "--norc", "--noprofile")) {
        String how = environment.containsKey("IGNIS_DAEMON") ? "in process" : "through ignisd";
        try {
          assertThat(terminal.runAndWait("runtime run --name prog >/dev/null", 120)).as(how).isZero();
          terminal.clear();
          assertThat(terminal.runAndWait("runtime stop prog", 120)).as(how).isZero();
          assertThat(terminal.runAndWait("runtime start prog", 120)).as(how).isZero();
          String screen = terminal.screen();
          assertThat(screen.lines().filter(l -> l.strip().equals("prog")).count()).as(how + ":\n" + screen)
              .isEqualTo(2);
          assertThat(screen).as(how + ": no progress line left").doesNotContain("starting VM")
              .doesNotContain("stopping VM");

          terminal.clear();
          // A guest that never reports ready (its init is cat): the run waits until Ctrl-C.
          terminal.type("runtime run --name cancelled --cmdline rdinit=/bin/cat; echo status:$?");
          terminal.press("Enter");
          terminal.await("starting VM cancelled... ", 60);
          terminal.press("C-c");
          terminal.await("status:130", 60);
          assertThat(ignis.ok("ps", "-a", "-q", "-f", "name=cancelled")).as(how + ": nothing half-made stays")
              .isEmpty();
          assertThat(terminal.runAndWait("runtime rm -f prog", 60)).as(how).isZero();
        } finally {
          if (!environment.containsKey("IGNIS_DAEMON")) {
            terminal.runAndWait("runtime daemon stop", 60);
          }
        }
      }
    }
  }
}
