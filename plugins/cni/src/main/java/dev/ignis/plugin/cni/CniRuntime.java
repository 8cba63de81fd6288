package dev.ignis.plugin.cni;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ignis.spi.IgnisException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * libcni's job: runs a network configuration list against one attachment — ADD in order, DEL
 * in reverse, CHECK, GC, STATUS — building each plugin's configuration as the spec's
 * "Section 4: Plugin delegation" says, and keeping the result cache.
 */
class CniRuntime {

  private static final Logger log = LoggerFactory.getLogger(CniRuntime.class);

  private final CniInvoker invoker;
  private final ResultCache cache;

  CniRuntime(CniInvoker invoker, ResultCache cache) {
    this.invoker = invoker;
    this.cache = cache;
  }

  /**
   * ADD: every plugin in order, each getting the previous one's result, which {@code
   * progress} records as the chain goes. The cache entry is written when the whole chain has
   * succeeded; if a plugin fails, the chain is deleted again so nothing is left behind. If
   * that undo fails too, its exception is attached to the thrown one as suppressed, and only
   * then: callers tell a complete undo by there being none.
   */
  JsonNode add(NetworkConfigList list, RuntimeConf runtime, Consumer<JsonNode> progress) {
    JsonNode result = null;
    try {
      for (ObjectNode plugin : list.plugins()) {
        result = invoker.invoke("ADD", pluginConfig(list, plugin, runtime, result), runtime, list.name());
        if (result == null) {
          throw new IgnisException(dev.ignis.spi.ErrorCode.DECODING_FAILURE, "network '" + list.name() + "': plugin "
              + plugin.get("type").asText() + " returned no result (add)");
        }
        progress.accept(result);
      }
      cache.write(new ResultCache.Entry(list.name(), list.source(), runtime, result));
      return result;
    } catch (IgnisException e) {
      try {
        del(list, runtime, result);
      } catch (IgnisException undo) {
        e.addSuppressed(undo);
      }
      throw e;
    }
  }

  /**
   * DEL: every plugin in reverse order with the cached result as prevResult, then the cache
   * entry goes. Idempotent: plugins must accept a DEL of what is already gone. Every plugin
   * is tried even if one fails; the first failure is thrown and the entry kept. A binary
   * missing from the bin path is skipped with a warning.
   */
  void del(NetworkConfigList list, RuntimeConf runtime, JsonNode prevResult) {
    IgnisException first = null;
    List<ObjectNode> reversed = new ArrayList<>(list.plugins());
    java.util.Collections.reverse(reversed);
    for (ObjectNode plugin : reversed) {
      String type = plugin.get("type").asText();
      if (invoker.locate(type).isEmpty()) {
        // A binary that cannot be found cannot have added anything either (or was removed
        // since): nothing can be undone through it.
        log.warn("network '{}': skipping DEL of plugin {}: not found in the CNI bin path", list.name(), type);
        continue;
      }
      try {
        invoker.invoke("DEL", pluginConfig(list, plugin, runtime, prevResult), runtime, list.name());
      } catch (IgnisException e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
    cache.delete(new ResultCache.Entry(list.name(), list.source(), runtime, null).key());
  }

  /**
   * CHECK (spec 0.4.0 and later) with the cached result. portmap's CHECK of plugins 1.1.1
   * fails for every IPv4-only container (containernetworking/plugins issue 819); such a
   * failure is logged, not reported.
   */
  void check(NetworkConfigList list, RuntimeConf runtime, JsonNode cachedResult) {
    if (!list.versionAtLeast("0.4.0")) {
      return;
    }
    for (ObjectNode plugin : list.plugins()) {
      try {
        invoker.invoke("CHECK", pluginConfig(list, plugin, runtime, cachedResult), runtime, list.name());
      } catch (IgnisException e) {
        if (!"portmap".equals(plugin.get("type").asText())) {
          throw e;
        }
        log.debug("ignoring portmap CHECK failure (plugins issue 819): {}", e.getMessage());
      }
    }
  }

  /** GC (spec 1.1.0 and later): plugins drop what they hold outside the valid attachments. */
  void gc(NetworkConfigList list, List<RuntimeConf> validAttachments) {
    if (!list.versionAtLeast("1.1.0")) {
      return;
    }
    ArrayNode valid = Json.MAPPER.createArrayNode();
    validAttachments.forEach(a -> valid.addObject().put("containerID", a.containerId()).put("ifname", a.ifName()));
    RuntimeConf none = new RuntimeConf("", "", "", List.of(), Json.MAPPER.createObjectNode());
    for (ObjectNode plugin : list.plugins()) {
      ObjectNode config = pluginConfig(list, plugin, none, null);
      config.set("cni.dev/valid-attachments", valid);
      invoker.invoke("GC", config, none, list.name());
    }
  }

  /** STATUS (spec 1.1.0 and later): throws if a plugin says the network cannot take attachments now. */
  void status(NetworkConfigList list) {
    if (!list.versionAtLeast("1.1.0")) {
      return;
    }
    RuntimeConf none = new RuntimeConf("", "", "", List.of(), Json.MAPPER.createObjectNode());
    for (ObjectNode plugin : list.plugins()) {
      invoker.invoke("STATUS", pluginConfig(list, plugin, none, null), none, list.name());
    }
  }

  /** The invoker, for callers that run single plugins of a chain (port changes). */
  CniInvoker invoker() {
    return invoker;
  }

  /** VERSION of one plugin binary: the spec versions it supports. */
  List<String> versions(String type, String network) {
    ObjectNode config = Json.MAPPER.createObjectNode().put("cniVersion", "0.4.0").put("type", type);
    RuntimeConf none = new RuntimeConf("", "", "", List.of(), Json.MAPPER.createObjectNode());
    JsonNode output = invoker.invoke("VERSION", config, none, network);
    List<String> versions = new ArrayList<>();
    if (output != null && output.get("supportedVersions") != null) {
      output.get("supportedVersions").forEach(v -> versions.add(v.asText()));
    }
    return versions;
  }

  /**
   * One plugin's configuration for a call: its own fields, the list's name and cniVersion,
   * the previous result, and runtimeConfig holding only the capabilities it declares; the
   * capabilities field itself is removed.
   */
  static ObjectNode pluginConfig(NetworkConfigList list, ObjectNode plugin, RuntimeConf runtime, JsonNode prevResult) {
    ObjectNode config = plugin.deepCopy();
    config.put("name", list.name());
    config.put("cniVersion", list.cniVersion());
    JsonNode capabilities = config.remove("capabilities");
    if (capabilities != null && capabilities.isObject()) {
      ObjectNode runtimeConfig = Json.MAPPER.createObjectNode();
      for (Iterator<Map.Entry<String, JsonNode>> it = capabilities.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> capability = it.next();
        JsonNode value = runtime.capabilityArgs().get(capability.getKey());
        if (capability.getValue().asBoolean() && value != null) {
          runtimeConfig.set(capability.getKey(), value);
        }
      }
      if (!runtimeConfig.isEmpty()) {
        config.set("runtimeConfig", runtimeConfig);
      }
    }
    if (prevResult != null) {
      config.set("prevResult", prevResult);
    }
    return config;
  }

  /** True if some plugin of the list declares the capability. */
  static boolean declares(NetworkConfigList list, String capability) {
    return list.plugins().stream().anyMatch(p -> p.path("capabilities").path(capability).asBoolean(false));
  }
}
