package dev.ignis.runtime.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ignis.runtime.config.SettingsLoader;
import dev.ignis.runtime.plugin.PluginJars;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line in process, with a real plugin jar; no root needed (nothing is started). */
class CliTest {

  @TempDir Path dir;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  @BeforeEach
  void plugins() throws Exception {
    Files.createDirectories(dir.resolve("plugins"));
    PluginJars.write(dir.resolve("plugins/recording.jar"), PluginJars.descriptor("recording"), true);
  }

  private int run(String... args) {
    out.reset();
    err.reset();
    Map<String, String> env = Map.of("IGNIS_STATE_DIR", dir.resolve("state").toString(),
        "IGNIS_PLUGINS_DIR", dir.resolve("plugins").toString(), "IGNIS_NETWORK_PLUGIN", "recording",
        "IGNIS_CONFIG", dir.resolve("no-config").toString());
    return new Cli(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
        new SettingsLoader(env, Optional.empty())).run(args);
  }

  private String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void unknownCommand_isAUsageErrorWithAHint() {
    assertThat(run("frobnicate")).isEqualTo(2);
    assertThat(err()).startsWith("error: Unmatched argument").contains("See 'runtime --help'.");
  }

  @Test
  void unknownFlag_isAUsageError() {
    assertThat(run("ps", "--frob")).isEqualTo(2);
    assertThat(err()).contains("Unknown option: '--frob'").contains("See 'runtime ps --help'.");
  }

  @Test
  void badPortSpec_isAUsageErrorNamingTheSpec() {
    assertThat(run("create", "-p", "70000:80")).isEqualTo(2);
    assertThat(err()).contains("port 70000 in '70000:80' is out of range");
  }

  @Test
  void badVmName_isOneLineWithoutStackTraceAndCreatesNothing() {
    assertThat(run("create", "--name", "Bad/Name")).isEqualTo(100);
    assertThat(err().strip()).startsWith("error: VM name 'Bad/Name' is not valid").doesNotContain("\n").doesNotContain("at dev.");
    run("ps", "-a", "-o", "json");
    assertThat(out().strip()).isEqualTo("[]");
  }

  @Test
  void verbose_addsTheStackTrace() {
    assertThat(run("-v", "create", "--name", "Bad/Name")).isEqualTo(100);
    assertThat(err()).contains("at dev.ignis");
  }

  @Test
  void unknownPlugin_listsTheIdsThereAre() {
    assertThat(run("create", "--name", "web", "--network-plugin", "nope")).isEqualTo(101);
    assertThat(err().strip()).isEqualTo("error: unknown network plugin 'nope'; available: recording (see 'runtime plugins')");
  }

  @Test
  void createThenInspectThenRm_roundTripsTheRecord() {
    assertThat(run("create", "--name", "web", "-p", "8080:80", "--memory", "1G")).isZero();
    String id = out().strip();
    assertThat(id).matches("[0-9a-f]{16}");
    assertThat(run("inspect", "web", "-o", "yaml")).isZero();
    assertThat(out()).contains("memoryMib: 1024").contains("plugin: \"recording\"");
    assertThat(run("ps", "-a")).isZero();
    assertThat(out()).contains(id).contains("web").contains("created").contains("0.0.0.0:8080->80/tcp");
    assertThat(run("create", "--name", "web")).isEqualTo(102);
    assertThat(run("rm", "web")).isZero();
    assertThat(run("inspect", "web")).isEqualTo(101);
  }

  @Test
  void network_ofAPluginThatReadsTheChoice_isKeptWithItsAddressAndMac() throws Exception {
    Map<String, String> descriptor = PluginJars.descriptor("recording");
    descriptor.put("Plugin-Requires", ">=2.2.0 & <3.0.0"); // a build that reads AttachRequest.network
    PluginJars.write(dir.resolve("plugins/recording.jar"), descriptor, true);
    assertThat(run("create", "--name", "web", "--network", "recording:lan,ip=10.61.0.5,mac=02:00:00:00:00:09"))
        .as(err()).isZero();
    assertThat(run("inspect", "web", "-o", "json")).isZero();
    assertThat(out()).contains("\"plugin\": \"recording\"").contains("\"network\": \"lan\"")
        .contains("\"10.61.0.5\"").contains("\"mac\": \"02:00:00:00:00:09\"");
    assertThat(run("ps", "-a")).isZero();
    assertThat(out()).contains("recording:lan");
  }

  @Test
  void network_ofAPluginThatMayRunOnAnOlderSpi_isRefusedBeforeAnythingIsRecorded() {
    assertThat(run("create", "--name", "web", "--network", "recording:lan")).isNotZero();
    assertThat(err().strip()).isEqualTo("error: network plugin 'recording' offers no choice of network (it reads none:"
        + " its jar allows SPIs before 2.2); use --network recording without ':lan'");
    run("ps", "-a", "-o", "json");
    assertThat(out().strip()).isEqualTo("[]");
    assertThat(run("create", "--name", "web", "--network", "recording")).isZero(); // no choice: the default
  }

  @Test
  void network_thatCannotBeRead_isOneLineNamingTheFix_andCreatesNothing() {
    Map<String[], String> cases = new java.util.LinkedHashMap<>();
    cases.put(new String[] {"--network", ":lan"}, "names no plugin");
    cases.put(new String[] {"--network", "recording:"}, "names no network after ':'");
    cases.put(new String[] {"--network", "recording,dns=1"}, "'dns=1' is not ip=IP or mac=MAC");
    cases.put(new String[] {"--network", "recording,ip="}, "'ip=' is not ip=IP or mac=MAC");
    cases.put(new String[] {"--network", "recording,mac=02:00:00:00:00:01,mac=02:00:00:00:00:02"}, "mac= twice");
    cases.put(new String[] {"--network", "recording,ip=10.0.0"}, "--ip '10.0.0' is not an IP address");
    cases.put(new String[] {"--network", "recording:a b"}, "network name 'a b' is not valid");
    cases.put(new String[] {"--network", "recording", "--network", "recording"}, "--network recording is given twice");
    cases.put(new String[] {"--network-plugin", "other", "--network", "recording"}, "give the plugin once");
    cases.put(new String[] {"--mac", "02:00:00:00:00:01", "--network", "recording,mac=02:00:00:00:00:02"},
        "give it once");
    cases.forEach((args, message) -> {
      String[] command = new String[args.length + 3];
      command[0] = "create";
      command[1] = "--name";
      command[2] = "web";
      System.arraycopy(args, 0, command, 3, args.length);
      assertThat(run(command)).as(String.join(" ", args)).isNotZero();
      assertThat(err().strip()).as(String.join(" ", args)).startsWith("error: ").contains(message).doesNotContain("\n");
    });
    run("ps", "-a", "-o", "json");
    assertThat(out().strip()).isEqualTo("[]");
  }

  @Test
  void plugins_listsEveryJarAsJson() {
    assertThat(run("plugins", "-o", "json")).isZero();
    assertThat(out()).contains("\"id\": \"recording\"").contains("\"state\": \"started\"")
        .contains("\"requires\": \">=2.0.0 & <3.0.0\"");
  }

  @Test
  void plugins_table_showsWhatEachPluginDoes() {
    assertThat(run("plugins")).isZero();
    assertThat(out().lines().findFirst().orElseThrow()).contains("DESCRIPTION");
    assertThat(out()).contains("recording (default)").contains("isolated");
  }

  @Test
  void missingPluginsDir_isOneLineNamingTheFlag() throws Exception {
    Files.delete(dir.resolve("plugins/recording.jar"));
    Files.delete(dir.resolve("plugins"));
    assertThat(run("plugins")).isEqualTo(101);
    assertThat(err().strip()).contains("does not exist; pass --plugins-dir DIR").doesNotContain("\n");
  }

  @Test
  void corruptRecord_isReportedAndTheOthersListed() throws Exception {
    run("create", "--name", "good");
    Path broken = Files.createDirectories(dir.resolve("state/vms/00000000000000cc"));
    Files.writeString(broken.resolve("vm.json"), "{");
    assertThat(run("ps", "-a")).isZero();
    assertThat(out()).contains("good");
    assertThat(err()).startsWith("warning: VM record " + broken.resolve("vm.json") + " is corrupt");
  }

  @Test
  void help_ofEverySubcommand_isComplete() {
    for (String command : new String[] {"run", "create", "start", "stop", "rm", "ps", "inspect", "plugins",
        "bootstrap", "gc", "version"}) {
      assertThat(run(command, "--help")).as(command).isZero();
      assertThat(out()).as(command).startsWith("Usage: runtime " + command).contains("-h, --help");
    }
    assertThat(run("--help")).isZero();
    assertThat(out()).contains("Exit status:").contains("bootstrap").contains("gc");
  }

  @Test
  void bootstrap_passesTheActionAndItsArgumentsToThePlugin() {
    assertThat(run("bootstrap", "init", "--network", "10.50.0.0/16")).isZero();
    assertThat(out()).contains("ok    nothing: to do");
  }

  @Test
  void commandWord_skipsRootOptionsAndTheirValues() {
    assertThat(Subcommands.commandWord(new String[] {"--state-dir", "/x", "-v", "ps", "-a"})).isEqualTo("ps");
    assertThat(Subcommands.commandWord(new String[] {"--network-plugin=cni", "run"})).isEqualTo("run");
    assertThat(Subcommands.commandWord(new String[] {"-h"})).isEmpty();
  }

  @Test
  void rmOfSeveralVms_goesOnPastAFailure_andReportsEach() {
    assertThat(run("create", "--name", "a")).isZero();
    assertThat(run("create", "--name", "c")).isZero();
    assertThat(run("rm", "a", "nosuch", "c")).isEqualTo(101);
    assertThat(out()).isEqualTo("a\nc\n");
    assertThat(err().strip()).isEqualTo("error: no VM named 'nosuch'; see 'runtime ps -a'");
    run("ps", "-a", "-o", "json");
    assertThat(out().strip()).isEqualTo("[]");
  }

  @Test
  void anEmptyStateDir_isRefused_ratherThanTakenAsTheWorkingDirectory() {
    assertThat(run("--state-dir", "", "ps")).isEqualTo(100);
    assertThat(err().strip()).isEqualTo("error: --state-dir is empty; give a directory (default /var/lib/ignis) or leave"
        + " the option out");
  }

  @Test
  void cmdline_mayNotTakeOverIgnisOwnArguments_norFakeReadiness() {
    assertThat(run("create", "--name", "a", "--cmdline", "quiet ip=10.0.0.9::10.0.0.1:24::eth0:off")).isEqualTo(100);
    assertThat(err()).contains("--cmdline may not set 'ip'");
    assertThat(run("create", "--name", "a", "--cmdline", "ignis.name=other")).isEqualTo(100);
    assertThat(run("create", "--name", "a", "--cmdline", "ignis.dns=192.0.2.1")).isEqualTo(100);
    assertThat(err()).contains("--dns its nameservers");
    assertThat(run("create", "--name", "a", "--cmdline", "x=IGNIS-READY")).isEqualTo(100);
    assertThat(err()).contains("may not contain IGNIS-READY");
    assertThat(run("create", "--name", "a", "--cmdline", "quiet\ninit=/bin/sh")).isEqualTo(100);
    assertThat(err()).contains("holds a newline");
    assertThat(run("create", "--name", "a", "--cmdline", "ignis.net=dhcp loglevel=7")).isZero();
  }

  @Test
  void sctpPorts_areRefused_asOnlyTcpAndUdpAreChecked() {
    assertThat(run("create", "--name", "a", "-p", "8080:80/sctp")).isEqualTo(2);
    assertThat(err()).contains("protocol sctp is not supported; publish tcp or udp ports");
  }
}
