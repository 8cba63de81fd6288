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
  private final Map<String, String> negotiatedVersions = new java.util.concurrent.ConcurrentHashMap<>();

  CniRuntime(CniInvoker invoker, ResultCache cache) {
    this.invoker = invoker;
    this.cache = cache;
  }

  /**
   * ADD: every plugin in order, each getting the previous one's result, which {@code
   * progress} records as the chain goes. The cache entry is written when the whole chain has
   * succeeded; if a plugin fails, the plugins that ran (the failed one included) are deleted
   * again so nothing is left behind. If that undo fails too, its exception is attached to the
   * thrown one as suppressed, and only then: callers tell a complete undo by there being none.
   */
  JsonNode add(NetworkConfigList list, RuntimeConf runtime, Consumer<JsonNode> progress) {
    JsonNode result = null;
    int ran = 0;
    try {
      for (ObjectNode plugin : list.plugins()) {
        ran++;
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
        // A plugin that never ran made nothing: its DEL is not needed, and its binary may be what is missing.
        delete(list, list.plugins().subList(0, ran), runtime, result);
      } catch (IgnisException undo) {
        e.addSuppressed(undo);
      }
      throw e;
    }
  }

  /**
   * DEL: every plugin in reverse order with the cached result as prevResult, then the cache
   * entry goes. Idempotent: plugins must accept a DEL of what is already gone. As in libcni, a
   * DEL fails if any plugin fails or cannot be found (its rules or leases would stay behind
   * unnoticed otherwise); every plugin is still tried, the first failure is thrown and the
   * cache entry kept, so the DEL can be retried.
   */
  void del(NetworkConfigList list, RuntimeConf runtime, JsonNode prevResult) {
    delete(list, list.plugins(), runtime, prevResult);
  }

  private void delete(NetworkConfigList list, List<ObjectNode> plugins, RuntimeConf runtime, JsonNode prevResult) {
    IgnisException first = null;
    List<ObjectNode> reversed = new ArrayList<>(plugins);
    java.util.Collections.reverse(reversed);
    for (ObjectNode plugin : reversed) {
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
   * The list as its plugins are called: with {@code cniVersions} (spec 1.1.0), at the highest
   * of those versions that every plugin of the list speaks (VERSION), asked once per process;
   * else as it is.
   */
  NetworkConfigList negotiated(NetworkConfigList list) {
    if (list.cniVersions().isEmpty()) {
      return list;
    }
    String version = negotiatedVersions.computeIfAbsent(list.source(), source -> {
      List<String> common = new ArrayList<>(list.cniVersions());
      for (ObjectNode plugin : list.plugins()) {
        common.retainAll(versions(plugin.get("type").asText(), list.name()));
      }
      if (common.isEmpty()) {
        throw new IgnisException(dev.ignis.spi.ErrorCode.INCOMPATIBLE_VERSION, "network '" + list.name() + "' ("
            + list.origin() + "): no version of its cniVersions " + list.cniVersions()
            + " is spoken by all of its plugins; upgrade the plugins or add a version they speak");
      }
      return common.get(common.size() - 1);
    });
    return list.withVersion(version);
  }

  /**
   * CHECK (spec 0.4.0 and later) with the cached result, its gateway-less routes named as ADD
   * installed them ({@link CheckedRoutes}). portmap's CHECK of plugins 1.1.1 fails for every
   * IPv4-only container (containernetworking/plugins issue 819); such a failure is logged, not
   * reported.
   */
  void check(NetworkConfigList list, RuntimeConf runtime, JsonNode cachedResult) {
    if (!list.versionAtLeast("0.4.0") || list.checkDisabled()) {
      return;
    }
    JsonNode checked = CheckedRoutes.withGateways(cachedResult);
    for (ObjectNode plugin : list.plugins()) {
      try {
        invoker.invoke("CHECK", pluginConfig(list, plugin, runtime, checked), runtime, list.name());
      } catch (IgnisException e) {
        if (!"portmap".equals(plugin.get("type").asText())) {
          throw e;
        }
        log.debug("ignoring portmap CHECK failure (plugins issue 819): {}", e.getMessage());
      }
    }
  }

  /**
   * GC (spec 1.1.0 and later, unless {@code disableGC}): plugins drop what they hold outside the
   * valid attachments. Returns whether GC was sent.
   */
  boolean gc(NetworkConfigList list, List<RuntimeConf> validAttachments) {
    if (!list.versionAtLeast("1.1.0") || list.gcDisabled()) {
      return false;
    }
    ArrayNode valid = Json.MAPPER.createArrayNode();
    validAttachments.forEach(a -> valid.addObject().put("containerID", a.containerId()).put("ifname", a.ifName()));
    RuntimeConf none = new RuntimeConf("", "", "", List.of(), Json.MAPPER.createObjectNode());
    for (ObjectNode plugin : list.plugins()) {
      ObjectNode config = pluginConfig(list, plugin, none, null);
      config.set("cni.dev/valid-attachments", valid);
      invoker.invoke("GC", config, none, list.name());
    }
    return true;
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
