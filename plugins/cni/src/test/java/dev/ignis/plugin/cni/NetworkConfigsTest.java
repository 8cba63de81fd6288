package dev.ignis.plugin.cni;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NetworkConfigsTest {

  @TempDir Path dir;

  private static String list(String name) {
    return "{\"cniVersion\":\"1.0.0\",\"name\":\"" + name + "\",\"plugins\":[{\"type\":\"bridge\"}]}";
  }

  @Test
  void load_sortsEveryExtensionTogether_andTakesTheFirst_asKubeletAndGoCniDo() throws Exception {
    Files.writeString(dir.resolve("05-single.conf"), "{\"cniVersion\":\"0.3.1\",\"name\":\"single\",\"type\":\"ptp\"}");
    Files.writeString(dir.resolve("20-b.conflist"), list("b"));
    Files.writeString(dir.resolve("10-a.conflist"), list("a"));
    Files.writeString(dir.resolve("01-notes.txt"), "not a network");
    assertThat(new NetworkConfigs(dir).load(Optional.empty()).name()).isEqualTo("single");
    assertThat(new NetworkConfigs(dir).load(Optional.of("a")).plugins()).hasSize(1);
    Files.delete(dir.resolve("05-single.conf"));
    assertThat(new NetworkConfigs(dir).load(Optional.empty()).name()).isEqualTo("a");
  }

  @Test
  void load_refusesANetworkNameOutsideTheSpecsPattern_beforeAnyFileIsNamedAfterIt() throws Exception {
    Files.writeString(dir.resolve("10-a.conflist"), list("../escape"));
    assertThatThrownBy(() -> new NetworkConfigs(dir).load(Optional.empty()))
        .isInstanceOfSatisfying(IgnisException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_NETWORK_CONFIG))
        .hasMessageContaining("has network name '../escape'");
  }

  @Test
  void peek_ofAnEmptyConfDir_isTheDefaultNetwork_andWritesNothing() throws Exception {
    assertThat(new NetworkConfigs(dir).peek(Optional.empty()).name()).isEqualTo("ignite-cni-bridge");
    assertThat(new NetworkConfigs(dir).files()).isEmpty();
  }

  @Test
  void load_ofASingleConf_wrapsItAsAListOfOne() throws Exception {
    Files.writeString(dir.resolve("10-single.json"), "{\"cniVersion\":\"0.3.1\",\"name\":\"single\",\"type\":\"ptp\"}");
    NetworkConfigList list = new NetworkConfigs(dir).load(Optional.empty());
    assertThat(list.cniVersion()).isEqualTo("0.3.1");
    assertThat(Json.object(list.source(), "x").get("plugins").get(0).get("type").asText()).isEqualTo("ptp");
  }

  @Test
  void load_byUnknownName_listsTheNetworksThereAre() throws Exception {
    Files.writeString(dir.resolve("10-a.conflist"), list("a"));
    assertThatThrownBy(() -> new NetworkConfigs(dir).load(Optional.of("zz"))).hasMessageContaining("(it has: a)")
        .hasMessageContaining("name one of those");
  }

  @Test
  void peek_ofAnEmptyConfDir_byTheDefaultsName_isTheDefault_andByAnotherName_isNotFound() {
    assertThat(new NetworkConfigs(dir).peek(Optional.of("ignite-cni-bridge")).name()).isEqualTo("ignite-cni-bridge");
    assertThatThrownBy(() -> new NetworkConfigs(dir).peek(Optional.of("lan")))
        .isInstanceOfSatisfying(IgnisException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND))
        .hasMessageContaining("no CNI network named 'lan'").hasMessageContaining("(it has none)");
    assertThat(new NetworkConfigs(dir).files()).isEmpty();
  }

  @Test
  void installDefault_intoAnEmptyDir_writesIgnitesNetworkWithMode0644() throws Exception {
    Path conf = dir.resolve("net.d");
    assertThat(new NetworkConfigs(conf).installDefaultIfEmpty()).isTrue();
    Path file = conf.resolve("10-ignite.conflist");
    assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-r--r--"));
    JsonNode json = Json.object(Files.readString(file), "default");
    assertThat(json.get("cniVersion").asText()).isEqualTo("0.4.0");
    assertThat(json.get("name").asText()).isEqualTo("ignite-cni-bridge");
    JsonNode bridge = json.get("plugins").get(0);
    assertThat(bridge.get("bridge").asText()).isEqualTo("ignite0");
    assertThat(bridge.get("isGateway").asBoolean() && bridge.get("isDefaultGateway").asBoolean()
        && bridge.get("promiscMode").asBoolean() && bridge.get("ipMasq").asBoolean()).isTrue();
    assertThat(bridge.at("/ipam/type").asText()).isEqualTo("host-local");
    assertThat(bridge.at("/ipam/subnet").asText()).isEqualTo("10.61.0.0/16");
    assertThat(json.get("plugins").get(1).at("/capabilities/portMappings").asBoolean()).isTrue();
    assertThat(json.get("plugins").get(2).get("type").asText()).isEqualTo("firewall");
    assertThat(new NetworkConfigs(conf).load(Optional.empty()).binaries())
        .containsExactly("bridge", "host-local", "portmap", "firewall");
  }

  @Test
  void installDefault_besideAnExistingConfig_writesNothing() throws Exception {
    Files.writeString(dir.resolve("10-flannel.conflist"), list("cbr0"));
    assertThat(new NetworkConfigs(dir).installDefaultIfEmpty()).isFalse();
    assertThat(dir.resolve("10-ignite.conflist")).doesNotExist();
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "{ not json                                                          | DECODING_FAILURE       | not valid JSON",
      "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"plugins\":[]}            | INVALID_NETWORK_CONFIG | has no plugins",
      "{\"cniVersion\":\"9.9.9\",\"name\":\"n\",\"plugins\":[{\"type\":\"bridge\"}]} | INCOMPATIBLE_VERSION | cniVersion '9.9.9'",
      "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"plugins\":[{\"type\":\"../bin/sh\"}]} | INVALID_NETWORK_CONFIG | plain binary name",
      "{\"cniVersion\":\"1.0.0\",\"plugins\":[{\"type\":\"bridge\"}]}     | INVALID_NETWORK_CONFIG | has no \"name\""})
  void parse_ofABadConflist_isOneLineWithTheRightCode(String json, ErrorCode code, String message) {
    assertThatThrownBy(() -> NetworkConfigList.parseList(json, "/etc/cni/net.d/x.conflist"))
        .isInstanceOfSatisfying(IgnisException.class, e -> assertThat(e.code()).isEqualTo(code))
        .hasMessageContaining("/etc/cni/net.d/x.conflist").hasMessageContaining(message)
        .hasMessageNotContaining("\n");
  }
}
