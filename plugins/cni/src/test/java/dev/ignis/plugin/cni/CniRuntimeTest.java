package dev.ignis.plugin.cni;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ignis.spi.CommandResult;
import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CniRuntimeTest {

  static final String CONFLIST = """
      {"cniVersion":"0.4.0","name":"testnet","plugins":[
        {"type":"bridge","bridge":"br0","ipam":{"type":"host-local","subnet":"10.99.0.0/24"}},
        {"type":"portmap","capabilities":{"portMappings":true,"ips":false}},
        {"type":"firewall"}]}
      """;

  @TempDir Path dir;
  private FakePlugins plugins;
  private ResultCache cache;
  private CniRuntime runtime;
  private final NetworkConfigList list = NetworkConfigList.parseList(CONFLIST, "test");
  private final List<JsonNode> progress = new java.util.ArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    plugins = new FakePlugins(dir.resolve("bin"), "bridge", "host-local", "portmap", "firewall");
    CniSettings settings = new CniSettings(dir.resolve("net.d"), List.of(dir.resolve("none"), dir.resolve("bin")),
        dir.resolve("cache"), Optional.empty(), Duration.ofSeconds(5));
    cache = new ResultCache(settings.cacheDir());
    runtime = new CniRuntime(new CniInvoker(plugins, settings), cache);
  }

  private RuntimeConf conf() {
    var capabilities = Json.MAPPER.createObjectNode();
    capabilities.putArray("portMappings").addObject().put("hostPort", 8080).put("containerPort", 80).put("protocol", "tcp");
    capabilities.putArray("ips").add("10.99.0.9");
    return new RuntimeConf("0123456789abcdef", "/run/netns/x", "eth0", List.of(List.of("IgnoreUnknown", "1")), capabilities);
  }

  @Test
  void add_runsTheChainInOrderPassingEachResultOn() {
    JsonNode result = runtime.add(list, conf(), progress::add);
    assertThat(plugins.trace()).containsExactly("ADD bridge", "ADD portmap", "ADD firewall");
    assertThat(progress).hasSize(3).last().isEqualTo(result);
    assertThat(plugins.calls.get(0).config().has("prevResult")).isFalse();
    assertThat(plugins.calls.get(1).config().get("prevResult")).isEqualTo(result);
    assertThat(plugins.calls.get(0).env()).containsEntry("CNI_CONTAINERID", "0123456789abcdef")
        .containsEntry("CNI_NETNS", "/run/netns/x").containsEntry("CNI_IFNAME", "eth0")
        .containsEntry("CNI_ARGS", "IgnoreUnknown=1")
        .containsEntry("CNI_PATH", dir.resolve("none") + ":" + dir.resolve("bin"));
  }

  @Test
  void add_injectsNameVersionAndOnlyDeclaredCapabilities_andStripsCapabilities() {
    runtime.add(list, conf(), progress::add);
    var bridge = plugins.calls.get(0).config();
    var portmap = plugins.calls.get(1).config();
    assertThat(bridge.get("name").asText()).isEqualTo("testnet");
    assertThat(bridge.get("cniVersion").asText()).isEqualTo("0.4.0");
    assertThat(bridge.has("runtimeConfig")).isFalse();
    assertThat(portmap.has("capabilities")).isFalse();
    assertThat(portmap.get("runtimeConfig").fieldNames()).toIterable().containsExactly("portMappings");
    assertThat(portmap.at("/runtimeConfig/portMappings/0/hostPort").asInt()).isEqualTo(8080);
  }

  @Test
  void add_writesALibcniCompatibleCacheEntry() throws Exception {
    JsonNode result = runtime.add(list, conf(), progress::add);
    Path file = dir.resolve("cache/results/testnet-0123456789abcdef-eth0");
    assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(Files.getPosixFilePermissions(file.getParent())).isEqualTo(PosixFilePermissions.fromString("rwx------"));
    var json = Json.object(Files.readString(file), "cache");
    assertThat(json.get("kind").asText()).isEqualTo("cniCacheV1");
    assertThat(json.get("networkName").asText()).isEqualTo("testnet");
    assertThat(json.get("netns").asText()).isEqualTo("/run/netns/x");
    assertThat(new String(java.util.Base64.getDecoder().decode(json.get("config").asText()))).isEqualTo(CONFLIST);
    assertThat(json.get("result")).isEqualTo(result);
    assertThat(json.at("/cniArgs/0/0").asText()).isEqualTo("IgnoreUnknown");
    assertThat(json.at("/capabilityArgs/portMappings/0/containerPort").asInt()).isEqualTo(80);
  }

  @Test
  void add_whenAPluginFails_deletesThePluginsThatRanInReverseAndTheCacheEntry() {
    plugins.on("portmap", call -> "ADD".equals(call.command())
        ? new CommandResult(dev.ignis.spi.Command.of("portmap"), 1, "{\"code\":11,\"msg\":\"busy\",\"details\":\"d\"}", "")
        : FakePlugins.ok(dev.ignis.spi.Command.of("portmap"), ""));
    assertThatThrownBy(() -> runtime.add(list, conf(), progress::add))
        .isInstanceOfSatisfying(IgnisException.class, e -> {
          assertThat(e.code()).isEqualTo(ErrorCode.TRY_AGAIN_LATER);
          assertThat(e.details()).isEqualTo("d");
        })
        .hasMessage("network 'testnet': plugin portmap failed (add): busy");
    // firewall never ran: it made nothing to delete (and its binary may be the one missing).
    assertThat(plugins.trace()).containsExactly("ADD bridge", "ADD portmap", "DEL portmap", "DEL bridge");
    assertThat(plugins.calls.get(2).config().has("prevResult")).isTrue();
    assertThat(dir.resolve("cache/results/testnet-0123456789abcdef-eth0")).doesNotExist();
  }

  @Test
  void add_whenThePluginPrintsGarbage_saysWhatItPrinted() {
    plugins.on("bridge", call -> new CommandResult(dev.ignis.spi.Command.of("bridge"), 2, "panic: oops\nstack", ""));
    assertThatThrownBy(() -> runtime.add(list, conf(), progress::add))
        .hasMessage("network 'testnet': plugin bridge failed (add): exit status 2 without a CNI error; it printed: panic: oops");
  }

  @Test
  void add_whenAPluginTimesOut_namesThePlugin() {
    plugins.on("firewall", call -> {
      throw new IgnisException(ErrorCode.TRY_AGAIN_LATER, "'firewall' did not finish within 5 s and was killed");
    });
    assertThatThrownBy(() -> runtime.add(list, conf(), progress::add))
        .hasMessageStartingWith("network 'testnet': plugin firewall failed (add): 'firewall' did not finish within 5 s");
  }

  @Test
  void add_withAMissingBinary_namesItAndTheSearchPath() throws Exception {
    Files.delete(plugins.binDir.resolve("firewall"));
    assertThatThrownBy(() -> runtime.add(list, conf(), progress::add))
        .isInstanceOfSatisfying(IgnisException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.PLUGIN_NOT_AVAILABLE))
        .hasMessageContaining("CNI plugin 'firewall' not found in " + dir.resolve("none") + ":" + dir.resolve("bin"));
    assertThat(plugins.trace()).endsWith("DEL portmap", "DEL bridge");
  }

  @Test
  void del_runsInReverseWithTheCachedResult_andIsIdempotent() {
    JsonNode result = runtime.add(list, conf(), progress::add);
    plugins.calls.clear();
    runtime.del(list, conf(), result);
    runtime.del(list, conf(), null);
    assertThat(plugins.trace()).containsExactly("DEL firewall", "DEL portmap", "DEL bridge",
        "DEL firewall", "DEL portmap", "DEL bridge");
    assertThat(plugins.calls.get(0).config().get("prevResult")).isEqualTo(result);
  }

  @Test
  void check_toleratesPortmapsCheckBug_butNotOtherFailures() {
    JsonNode result = runtime.add(list, conf(), progress::add);
    plugins.on("portmap", call -> new CommandResult(dev.ignis.spi.Command.of("portmap"), 1,
        "{\"code\":999,\"msg\":\"could not find chain\"}", ""));
    runtime.check(list, conf(), result);
    plugins.on("firewall", call -> new CommandResult(dev.ignis.spi.Command.of("firewall"), 1,
        "{\"code\":999,\"msg\":\"rule missing\"}", ""));
    assertThatThrownBy(() -> runtime.check(list, conf(), result)).hasMessageContaining("rule missing");
  }

  @Test
  void gcAndStatus_areSentOnlyToNetworksOfSpecVersion110() {
    runtime.gc(list, List.of(conf()));
    runtime.status(list);
    assertThat(plugins.calls).isEmpty();
    NetworkConfigList modern = NetworkConfigList.parseList(CONFLIST.replace("0.4.0", "1.1.0"), "test");
    runtime.gc(modern, List.of(conf()));
    assertThat(plugins.trace()).containsExactly("GC bridge", "GC portmap", "GC firewall");
    assertThat(plugins.calls.get(0).config().at("/cni.dev~1valid-attachments/0/containerID").asText())
        .isEqualTo("0123456789abcdef");
  }

  @Test
  void del_whenABinaryIsGone_triesTheOthers_failsAndKeepsTheCacheEntry_asLibcniDoes() throws Exception {
    JsonNode result = runtime.add(list, conf(), progress::add);
    Files.delete(plugins.binDir.resolve("portmap"));
    plugins.calls.clear();
    assertThatThrownBy(() -> runtime.del(list, conf(), result))
        .isInstanceOfSatisfying(IgnisException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.PLUGIN_NOT_AVAILABLE))
        .hasMessageContaining("CNI plugin 'portmap' not found");
    assertThat(plugins.trace()).containsExactly("DEL firewall", "DEL bridge");
    assertThat(dir.resolve("cache/results/testnet-0123456789abcdef-eth0")).exists();
  }

  @Test
  void negotiated_takesTheHighestOfCniVersionsThatEveryPluginSpeaks() {
    plugins.on("bridge", call -> FakePlugins.ok(dev.ignis.spi.Command.of("bridge"),
        "{\"supportedVersions\":[\"0.4.0\",\"1.0.0\"]}"));
    plugins.on("portmap", call -> FakePlugins.ok(dev.ignis.spi.Command.of("portmap"),
        "{\"supportedVersions\":[\"0.4.0\",\"1.0.0\",\"1.1.0\"]}"));
    plugins.on("firewall", call -> FakePlugins.ok(dev.ignis.spi.Command.of("firewall"),
        "{\"supportedVersions\":[\"1.0.0\",\"1.1.0\"]}"));
    NetworkConfigList versioned = NetworkConfigList.parseList(CONFLIST.replace("\"cniVersion\":\"0.4.0\"",
        "\"cniVersion\":\"1.1.0\",\"cniVersions\":[\"0.4.0\",\"1.0.0\",\"1.1.0\",\"9.9.9\"]"), "test");
    assertThat(runtime.negotiated(versioned).cniVersion()).isEqualTo("1.0.0");
    assertThat(plugins.trace()).containsExactly("VERSION bridge", "VERSION portmap", "VERSION firewall");
    runtime.negotiated(versioned);
    assertThat(plugins.calls).as("asked once per process").hasSize(3);
    assertThat(runtime.negotiated(list)).isSameAs(list);
  }

  @Test
  void check_isNotSent_whenTheNetworkDisablesIt() {
    NetworkConfigList disabled = NetworkConfigList.parseList(CONFLIST.replace("\"name\"", "\"disableCheck\":true,\"name\""),
        "test");
    runtime.check(disabled, conf(), null);
    assertThat(plugins.calls).isEmpty();
  }

  @Test
  void pluginErrors_999AndPluginSpecificCodes_areAPluginFailure_wellKnownCodesKeepTheirMeaning() {
    assertThat(CniInvoker.codeOf(999)).isEqualTo(ErrorCode.PLUGIN_FAILED);
    assertThat(CniInvoker.codeOf(100)).isEqualTo(ErrorCode.PLUGIN_FAILED);
    assertThat(CniInvoker.codeOf(7)).isEqualTo(ErrorCode.INVALID_NETWORK_CONFIG);
    assertThat(CniInvoker.codeOf(11)).isEqualTo(ErrorCode.TRY_AGAIN_LATER);
    assertThat(CniInvoker.codeOf(42)).isEqualTo(ErrorCode.PLUGIN_FAILED);
  }
}
