package dev.ignis.plugin.cni;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ignis.spi.AttachRequest;
import dev.ignis.spi.Command;
import dev.ignis.spi.CommandResult;
import dev.ignis.spi.CommandRunner;
import dev.ignis.spi.PluginContext;
import dev.ignis.spi.VmRef;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The plugin's ADD with a fake process boundary: what it does when a plugin of the chain fails. */
class CniPluginAttachTest {

  private static final String CHAIN_RACE = "{\"code\":999,\"msg\":\"unable to create chain CNI-HOSTPORT-MASQ: running"
      + " [/usr/sbin/iptables -t nat -N CNI-HOSTPORT-MASQ --wait]: exit status 4: iptables v1.8.9 (nf_tables):"
      + " CHAIN_USER_ADD failed (File exists): chain CNI-HOSTPORT-MASQ\\n\"}";

  private static final Command FAKE = Command.of("plugin");

  @TempDir Path dir;
  private FakePlugins plugins;
  private CniPlugin cni;
  private final AtomicInteger portmapFailures = new AtomicInteger();

  @BeforeEach
  void setUp() throws Exception {
    plugins = new FakePlugins(dir.resolve("bin"), "bridge", "host-local", "portmap", "firewall");
    plugins.on("portmap", call -> "ADD".equals(call.command()) && portmapFailures.getAndDecrement() > 0
        ? new CommandResult(FAKE, 1, CHAIN_RACE, "") : new CommandResult(FAKE, 0,
            "ADD".equals(call.command()) ? Json.write(call.config().get("prevResult")) : "", ""));
    Files.createDirectories(dir.resolve("net.d"));
    Files.writeString(dir.resolve("net.d/10-test.conflist"), CniRuntimeTest.CONFLIST);
    cni = new CniPlugin();
    cni.init(context(plugins));
  }

  private PluginContext context(CommandRunner commands) {
    Map<String, String> settings = Map.of("conf-dir", dir.resolve("net.d").toString(), "bin-path",
        dir.resolve("bin").toString(), "cache-dir", dir.resolve("cache").toString());
    return new PluginContext() {
      @Override
      public Path stateDir() {
        return dir.resolve("state");
      }

      @Override
      public Optional<String> setting(String key) {
        return Optional.ofNullable(settings.get(key));
      }

      @Override
      public CommandRunner commands() {
        return commands;
      }

      @Override
      public void notice(String message) {
      }
    };
  }

  private AttachRequest request() {
    return AttachRequest.builder(new VmRef("0123456789abcdef", "web")).netnsPath("/run/netns/x").build();
  }

  private long journalled() throws Exception {
    Path journal = dir.resolve("state/attachments");
    return Files.isDirectory(journal) ? Files.list(journal).count() : 0;
  }

  @Test
  void anAddThatLostAChainRaceToAnotherProcess_isUndoneAndRunAgain() throws Exception {
    portmapFailures.set(1);
    cni.attach(request());
    assertThat(plugins.trace()).containsExactly("ADD bridge", "ADD portmap", "DEL portmap", "DEL bridge",
        "ADD bridge", "ADD portmap", "ADD firewall");
    AttachmentJournal.Item item = new AttachmentJournal(dir.resolve("state")).items().get(0);
    assertThat(new AttachmentJournal(dir.resolve("state")).results(item)).hasSize(3); // the second ADD's, not both
  }

  @Test
  void anAddThatKeepsLosingRaces_givesUpAfterThreeAttempts_leavingNothing() throws Exception {
    portmapFailures.set(10);
    assertThatThrownBy(() -> cni.attach(request())).hasMessageContaining("CHAIN_USER_ADD failed (File exists)");
    assertThat(plugins.trace().stream().filter("ADD bridge"::equals)).hasSize(3);
    assertThat(journalled()).isZero();
  }

  @Test
  void otherFailures_areNotRunAgain() throws Exception {
    plugins.on("firewall", call -> "ADD".equals(call.command())
        ? new CommandResult(FAKE, 1, "{\"code\":999,\"msg\":\"no such chain\"}", "") : new CommandResult(FAKE, 0, "", ""));
    assertThatThrownBy(() -> cni.attach(request())).hasMessageContaining("no such chain");
    assertThat(plugins.trace().stream().filter("ADD bridge"::equals)).hasSize(1);
    assertThat(journalled()).isZero();
  }
}
