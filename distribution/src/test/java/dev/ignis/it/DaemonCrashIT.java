package dev.ignis.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ignis.runtime.format.Mappers;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * kill -9 of ignisd at random points of run, stop, start and rm, round after round: the
 * client says so in one line, the next daemon and {@code gc} finish what was cut, and no VM
 * that was there is lost, no record is unreadable, nothing is leaked (the base class checks
 * leases, cache entries, veths, rules and processes once every VM is removed).
 */
@Tag("integration")
class DaemonCrashIT extends NetworkedVmTest {

  private static final int ROUNDS = 30;

  private TestDaemon daemon;

  @AfterEach
  void stopDaemon() throws Exception {
    if (daemon != null) {
      daemon.stop();
    }
  }

  @Test
  void ignisdKilledAtRandomPoints_losesNoVm_corruptsNoRecord_leaksNothing() throws Exception {
    daemon = new TestDaemon(ignis);
    long seed = System.nanoTime();
    Random random = new Random(seed);
    System.out.println("DaemonCrashIT seed " + seed);
    Set<String> kept = new HashSet<>(); // VMs whose creation the client saw succeed
    int cut = 0;
    for (int round = 0; round < ROUNDS; round++) {
      daemon.ok("version"); // a daemon runs: the kill lands in the operation, not in its start
      List<String> command = operation(round, random, kept);
      Process client = daemon.spawn(Map.of("IGNIS_DAEMON", "on"), command.toArray(String[]::new));
      // Within an operation's length: a run with the lean kernel is up in about 1.5 s after the client's start.
      Thread.sleep(random.nextInt(1200));
      if (client.isAlive()) {
        daemon.kill9();
      }
      assertThat(client.waitFor(60, TimeUnit.SECONDS)).as("round %d: the client ended", round).isTrue();
      String err = new String(client.getErrorStream().readAllBytes()).strip();
      if (client.exitValue() == 103 && err.startsWith("error: ignisd stopped while it ran this command")) {
        cut++;
        assertThat(err.lines()).as("round %d: one line", round).hasSize(1);
      } else if (command.get(0).equals("start") && client.exitValue() == 102) {
        assertThat(err).as("round %d", round).contains("is already running"); // picked a running VM
      } else {
        assertThat(client.exitValue()).as("round %d: %s: %s", round, command, err).isZero();
        if (command.get(0).equals("run")) {
          kept.add(command.get(2));
        } else if (command.get(0).equals("rm")) {
          kept.remove(command.get(2));
        }
      }
      Ignis.Result gc = daemon.client("gc");
      assertThat(gc.status()).as("round %d: gc after %s: %s", round, command, gc.err()).isZero();
      Set<String> names = listed(round);
      assertThat(names).as("round %d: no VM lost", round).containsAll(kept);
      kept.retainAll(names);
      kept.addAll(names); // a run cut after its record was written is a VM now too
    }
    System.out.println("measured: " + cut + " of " + ROUNDS + " operations cut by kill -9 of ignisd; "
        + kept.size() + " VMs at the end");
    assertThat(cut).as("the kills landed in operations").isGreaterThanOrEqualTo(ROUNDS / 3);
    for (String name : kept) {
      daemon.ok("rm", "-f", name);
    }
    daemon.ok("gc");
  }

  private static List<String> operation(int round, Random random, Set<String> kept) {
    List<String> names = new ArrayList<>(kept);
    int pick = names.size() < 2 ? 0 : random.nextInt(4);
    String name = pick == 0 ? "crash-" + round : names.get(random.nextInt(names.size()));
    return switch (pick) {
      case 0 -> List.of("run", "--name", name);
      case 1 -> List.of("stop", name);
      case 2 -> List.of("start", name);
      default -> List.of("rm", "-f", name);
    };
  }

  /** The VMs as ps lists them; every record must be readable and no VM half-way. */
  private Set<String> listed(int round) throws Exception {
    Ignis.Result ps = daemon.client("ps", "-a", "-o", "json");
    assertThat(ps.status()).as("round %d: ps: %s", round, ps.err()).isZero();
    assertThat(ps.err()).as("round %d: every record readable", round).isBlank();
    Set<String> names = new HashSet<>();
    for (var vm : Mappers.json().readTree(ps.out())) {
      names.add(vm.path("name").asText());
      assertThat(vm.path("status").asText()).as("round %d: %s after gc", round, vm.path("name").asText())
          .isIn("running", "stopped", "created", "exited");
    }
    try (var dirs = Files.list(ignis.state.resolve("vms"))) {
      assertThat(dirs.filter(d -> !d.getFileName().toString().startsWith(".")).count()).as("round %d: no stray VM dir",
          round).isEqualTo(names.size());
    }
    return names;
  }
}
