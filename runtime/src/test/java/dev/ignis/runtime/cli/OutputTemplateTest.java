package dev.ignis.runtime.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OutputTemplateTest {

  private static Map<String, Object> item() {
    Map<String, Object> item = new LinkedHashMap<>();
    item.put("name", "web");
    item.put("cpus", 2);
    item.put("ips", List.of("10.0.0.2/24", "fd00::2/64"));
    item.put("dns", Map.of("source", "host"));
    item.put("netns", null);
    return item;
  }

  @Test
  void fields_areReplacedByTheirText_listsJoined_nestedKeysFollowed_nullsEmpty() {
    assertThat(new OutputTemplate("{{.name}}\\t{{ .cpus }} {{.ips}} {{.dns.source}} [{{.netns}}]").render(item()))
        .isEqualTo("web\t2 10.0.0.2/24,fd00::2/64 host []");
    assertThat(new OutputTemplate("{{.dns}}").render(item())).isEqualTo("{\"source\":\"host\"}");
  }

  @Test
  void anUnknownField_namesTheKeysThereAre() {
    assertThatThrownBy(() -> new OutputTemplate("{{.colour}}").render(item()))
        .hasMessage("--format: no field 'colour'; the keys here are cpus, dns, ips, name, netns");
    assertThatThrownBy(() -> new OutputTemplate("{{name}}")).hasMessageContaining("names no field as {{.key}}");
  }
}
