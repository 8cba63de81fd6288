package dev.ignis.plugin.cni;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import java.util.ArrayList;
import java.util.List;

/**
 * Which plugins of a chain a live port change runs again: those that declare the {@code
 * portMappings} capability and make no interface (portmap and the like), DEL with the old
 * mappings then ADD with the new. A plugin that makes the VM's interface and also declares
 * {@code portMappings} cannot be run again without tearing that interface down under the
 * running guest, so such a chain refuses live changes.
 */
final class LivePorts {

  private LivePorts() {}

  /**
   * The plugins to run again, in chain order. {@code results} holds each plugin's ADD result
   * as journalled (possibly fewer, or none for an attachment journalled before they were kept):
   * a plugin makes an interface if its result names a sandbox interface its input did not;
   * without results, the first plugin of the chain is taken to make it.
   */
  static List<ObjectNode> plugins(NetworkConfigList list, List<JsonNode> results) {
    List<ObjectNode> chosen = new ArrayList<>();
    for (int i = 0; i < list.plugins().size(); i++) {
      ObjectNode plugin = list.plugins().get(i);
      if (!plugin.path("capabilities").path("portMappings").asBoolean(false)) {
        continue;
      }
      if (makesInterface(i, results)) {
        throw new IgnisException(ErrorCode.NOT_SUPPORTED, "network '" + list.name() + "': plugin "
            + plugin.path("type").asText() + " makes the VM's interface and also handles its ports, so they cannot"
            + " change while the VM runs; stop the VM, change its ports, and start it again");
      }
      chosen.add(plugin);
    }
    if (chosen.isEmpty()) {
      throw new IgnisException(ErrorCode.NOT_SUPPORTED, "network '" + list.name()
          + "' has no plugin with the portMappings capability; its VMs cannot publish ports");
    }
    return chosen;
  }

  private static boolean makesInterface(int index, List<JsonNode> results) {
    if (index >= results.size()) {
      return index == 0;
    }
    long before = index == 0 ? 0 : sandboxInterfaces(results.get(index - 1));
    return sandboxInterfaces(results.get(index)) > before;
  }

  private static long sandboxInterfaces(JsonNode result) {
    long count = 0;
    for (JsonNode iface : result.path("interfaces")) {
      if (!Json.text(iface, "sandbox").isEmpty()) {
        count++;
      }
    }
    return count;
  }
}
