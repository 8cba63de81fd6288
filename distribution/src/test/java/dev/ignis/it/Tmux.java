package dev.ignis.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;

/**
 * A real terminal for a test: bash in a tmux session on a tmux server of its own (never the
 * user's), driven with send-keys and read with capture-pane, as a person at a terminal.
 */
final class Tmux implements AutoCloseable {

  private final String server = "ignis-it-" + Integer.toHexString(ThreadLocalRandom.current().nextInt());
  private final String target = server + ":0";

  /** Starts {@code shell} (with {@code args}) in a 160x50 terminal with this environment added. */
  Tmux(Map<String, String> environment, Path workingDir, String... shell) throws Exception {
    List<String> command = new ArrayList<>(List.of("tmux", "-L", server, "-f", "/dev/null", "new-session", "-d",
        "-s", server, "-x", "160", "-y", "50", "-c", workingDir.toString()));
    command.addAll(List.of("--", "env")); // tmux's -e does not override PATH: env sets it all
    environment.forEach((name, value) -> command.add(name + "=" + value));
    command.addAll(List.of(shell));
    tmux(command);
  }

  /** Types text as it is. */
  void type(String text) throws Exception {
    tmux(List.of("tmux", "-L", server, "send-keys", "-t", target, "-l", "--", text));
  }

  /** Presses keys by tmux's names: {@code Enter}, {@code Tab}, {@code C-c}, {@code C-p}... */
  void press(String... keys) throws Exception {
    List<String> command = new ArrayList<>(List.of("tmux", "-L", server, "send-keys", "-t", target));
    command.addAll(List.of(keys));
    tmux(command);
  }

  /** What the terminal shows now, with its scrollback. */
  String screen() throws Exception {
    return tmux(List.of("tmux", "-L", server, "capture-pane", "-p", "-J", "-S", "-300", "-t", target));
  }

  /** Waits until the screen satisfies {@code test}; fails naming {@code what} with the screen. */
  String await(String what, Predicate<String> test, int seconds) throws Exception {
    long deadline = System.nanoTime() + seconds * 1_000_000_000L;
    String screen = screen();
    while (!test.test(screen)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the terminal did not show " + what + " within " + seconds + " s; it shows:\n" + screen);
      }
      Thread.sleep(100);
      screen = screen();
    }
    return screen;
  }

  /** Waits for {@code text} on the screen. */
  String await(String text, int seconds) throws Exception {
    return await("'" + text + "'", screen -> screen.contains(text), seconds);
  }

  /** Runs a shell command line and waits until it printed {@code done:<exit status>}; returns that status. */
  int runAndWait(String line, int seconds) throws Exception {
    String marker = "done" + Integer.toHexString(ThreadLocalRandom.current().nextInt()) + ":";
    type(line + "; echo " + marker + "$?");
    press("Enter");
    String screen = await("the end of " + line, s -> s.lines().anyMatch(l -> l.startsWith(marker)), seconds);
    String status = screen.lines().filter(l -> l.startsWith(marker)).findFirst().orElseThrow();
    return Integer.parseInt(status.substring(marker.length()).strip());
  }

  /** Clears the screen and its scrollback, so that the next await sees only what comes next. */
  void clear() throws Exception {
    type("clear");
    press("Enter");
    await("a clear screen", s -> s.strip().lines().count() <= 1, 5);
    tmux(List.of("tmux", "-L", server, "clear-history", "-t", target));
  }

  @Override
  public void close() throws Exception {
    tmux(List.of("tmux", "-L", server, "kill-server"));
  }

  private static String tmux(List<String> command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    int status = process.waitFor();
    assertThat(status).as("%s: %s", String.join(" ", command), out).isIn(0, 1);
    return out;
  }
}
