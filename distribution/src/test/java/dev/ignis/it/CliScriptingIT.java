package dev.ignis.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The command line for scripts: ps -q, --filter and --format; rm --all and stop --all. */
@Tag("integration")
class CliScriptingIT extends NetworkedVmTest {

  @Test
  void ps_printsIds_filters_andFormats_andRmAll_removesEveryVm() throws Exception {
    String web = ignis.ok("create", "--name", "web-1").strip();
    String db = ignis.ok("create", "--name", "db-1").strip();
    ignis.ok("create", "--name", "web-2");
    assertThat(ignis.ok("ps", "-q")).as("none runs").isEmpty();
    String table = ignis.ok("ps", "-a");
    assertThat(table.lines().findFirst().orElseThrow()).startsWith("VM ID").contains("IMAGE").contains("KERNEL")
        .contains("CPUS").contains("MEMORY");
    assertThat(table).contains("default").contains("256 MiB");
    assertThat(ignis.ok("ps", "-a", "-q").lines()).hasSize(3).contains(web.substring(0, 16), db.substring(0, 16));
    assertThat(ignis.ok("ps", "-a", "--filter", "name=web", "--format", "{{.name}}").lines())
        .containsExactlyInAnyOrder("web-1", "web-2");
    assertThat(ignis.ok("ps", "-a", "-f", "name=web-1", "-f", "name=db", "--format", "{{.name}}").lines())
        .as("values of one key are alternatives").containsExactlyInAnyOrder("web-1", "db-1");
    assertThat(ignis.ok("ps", "-a", "-f", "name=web", "-f", "status=created", "-f", "plugin=cni", "-q").lines())
        .hasSize(2);
    assertThat(ignis.ok("ps", "-a", "-f", "plugin=flannel", "-q")).isEmpty();
    assertThat(ignis.ok("ps", "-a", "-f", "id=" + db.substring(0, 6), "--format", "{{.name}}\\t{{.status}}\\t{{.ips}}"))
        .isEqualTo("db-1\tcreated\t\n");

    Ignis.Result badKey = ignis.run("ps", "--filter", "colour=red");
    assertThat(badKey.status()).isEqualTo(100);
    assertThat(badKey.err().strip()).isEqualTo("error: --filter 'colour=red' is not KEY=VALUE with KEY one of name, id,"
        + " status, plugin, network, label");
    Ignis.Result badField = ignis.run("ps", "-a", "--format", "{{.colour}}");
    assertThat(badField.status()).isEqualTo(100);
    assertThat(badField.err()).startsWith("error: --format: no field 'colour'; the keys here are id, name, status");

    assertThat(ignis.ok("stop", "--all")).as("nothing runs, nothing to stop").isEmpty();
    for (String command : List.of("stop", "kill")) { // the state asked for already: 0 and one note
      Ignis.Result noOp = ignis.run(command, "web-1");
      assertThat(noOp.status()).as(command).isZero();
      assertThat(noOp.err().strip()).as(command).isEqualTo("note: VM 'web-1' was not running");
    }
    Ignis.Result both = ignis.run("rm", "--all", "web-1");
    assertThat(both.status()).isEqualTo(100);
    assertThat(both.err().strip()).isEqualTo("error: give VMs or --all, not both");
    assertThat(ignis.run("rm").err().strip()).isEqualTo("error: give at least one VM, or --all");
    assertThat(ignis.ok("rm", "--all").lines()).containsExactlyInAnyOrder("web-1", "db-1", "web-2");
    assertThat(ignis.ok("ps", "-a", "-q")).isEmpty();
  }

  @Test
  void aMistypedCommandOrOption_getsADidYouMean_andHelpNamesACommandsUsage() {
    Ignis.Result typo = ignis.run("sotp", "web");
    assertThat(typo.status()).isEqualTo(2);
    assertThat(typo.err()).contains("did you mean 'stop'?");
    Ignis.Result option = ignis.run("ps", "--filtr", "name=x");
    assertThat(option.status()).isEqualTo(2);
    assertThat(option.err()).contains("did you mean '--filter'?");
    assertThat(ignis.run("deploy").err()).doesNotContain("did you mean");
    assertThat(ignis.ok("help", "stop")).startsWith("Usage: runtime stop");
    assertThat(ignis.ok("help")).contains("Usage: runtime").contains("kernel");
    java.nio.file.Path missing = work.resolve("no-such-state");
    Ignis.Result empty = ignis.run("ps", "--state-dir", missing.toString(), "-a"); // a global option after the command
    assertThat(empty.status()).isZero();
    assertThat(empty.err().strip()).isEqualTo("note: the state dir " + missing + " does not exist, so no VM was made"
        + " there; check --state-dir or IGNIS_STATE_DIR");
    assertThat(missing).as("not made by a listing").doesNotExist();
  }

  @Test
  void aUserWithoutAccessToTheState_isToldToRunAsRoot_notShownAnEmptyList() throws Exception {
    ignis.ok("create", "--name", "mine");
    Process ps = new ProcessBuilder("runuser", "-u", "nobody", "--", "env", "IGNIS_DAEMON=off",
        Ignis.DIST.resolve("bin/runtime").toString(), "ps", "-a", "--state-dir", ignis.state.toString())
        .directory(new java.io.File("/tmp")).start();
    String err = new String(ps.getErrorStream().readAllBytes()).strip();
    assertThat(ps.waitFor()).as(err).isEqualTo(103);
    assertThat(err).startsWith("error: cannot read the VM records in " + ignis.state.resolve("vms"))
        .endsWith("(permission denied: run as root, or through ignisd as a member of its daemon.group)")
        .doesNotContain("\n");
  }

  @Test
  void rmOfSeveral_removesEachItCan_andNamesEachFailure() throws Exception {
    ignis.ok("create", "--name", "a");
    ignis.ok("create", "--name", "c");
    Ignis.Result result = ignis.run("rm", "a", "nosuch", "c");
    assertThat(result.status()).isEqualTo(101);
    assertThat(result.out().lines()).containsExactly("a", "c");
    assertThat(result.err().strip()).isEqualTo("error: no VM named 'nosuch'; see 'runtime ps -a'");
    assertThat(List.of(ignis.ok("ps", "-a", "-q").strip())).containsExactly("");
  }
}
