package dev.ignis.plugin.cni;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A CNI network configuration list (CNI spec, "Configuration format"): a named, versioned
 * chain of plugin configurations, with the bytes it was read from.
 *
 * @param name the network name
 * @param cniVersion the spec version the plugins are called with: the configuration's
 *     {@code cniVersion}, or the one chosen from {@code cniVersions} (see {@link #withVersion})
 * @param cniVersions the configuration's {@code cniVersions} (spec 1.1.0), possibly empty
 * @param plugins each plugin's configuration, in chain order
 * @param source the JSON text, as kept in the result cache
 * @param origin where it was read from, for messages
 */
record NetworkConfigList(String name, String cniVersion, List<String> cniVersions, List<ObjectNode> plugins,
    String source, String origin) {

  /** The spec versions this runtime speaks. */
  static final Set<String> SUPPORTED_VERSIONS = Set.of("0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0");

  /** The spec's pattern for network names; names also become file names (cache, journal, leases). */
  private static final java.util.regex.Pattern NAME = java.util.regex.Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.\\-]*");

  NetworkConfigList {
    cniVersions = List.copyOf(cniVersions);
    plugins = List.copyOf(plugins);
  }

  /** The same list, its plugins called with another spec version (one of {@link #cniVersions}). */
  NetworkConfigList withVersion(String version) {
    return new NetworkConfigList(name, version, cniVersions, plugins, source, origin);
  }

  /** True if the configuration turns CHECK off ({@code disableCheck}, spec 0.4.0). */
  boolean checkDisabled() {
    return Json.object(source, origin).path("disableCheck").asBoolean(false);
  }

  /** True if the configuration turns GC off ({@code disableGC}, spec 1.1.0). */
  boolean gcDisabled() {
    return Json.object(source, origin).path("disableGC").asBoolean(false);
  }

  /** Parses a {@code .conflist}. */
  static NetworkConfigList parseList(String json, String origin) {
    ObjectNode root = Json.object(json, "network config " + origin);
    String name = requiredName(root, origin);
    List<String> versions = versions(root, origin);
    String version = checkVersion(root, versions, origin);
    JsonNode plugins = root.get("plugins");
    if (!(plugins instanceof ArrayNode array) || array.isEmpty()) {
      throw invalid(origin, "has no plugins; a .conflist needs a non-empty \"plugins\" list");
    }
    List<ObjectNode> confs = new ArrayList<>();
    for (JsonNode plugin : array) {
      if (!plugin.isObject()) {
        throw invalid(origin, "has a plugin entry that is not an object");
      }
      checkType((ObjectNode) plugin, origin);
      confs.add((ObjectNode) plugin);
    }
    return new NetworkConfigList(name, version, versions, confs, json, origin);
  }

  /** Parses a single-plugin {@code .conf} and wraps it as a list of one, as libcni does. */
  static NetworkConfigList parseSingle(String json, String origin) {
    ObjectNode root = Json.object(json, "network config " + origin);
    String name = requiredName(root, origin);
    String version = checkVersion(root, List.of(), origin);
    checkType(root, origin);
    ObjectNode list = Json.MAPPER.createObjectNode();
    list.put("cniVersion", version);
    list.put("name", name);
    list.putArray("plugins").add(root);
    return new NetworkConfigList(name, version, List.of(), List.of(root), Json.write(list), origin);
  }

  /** The names of the binaries this list runs, IPAM plugins included. */
  List<String> binaries() {
    List<String> types = new ArrayList<>();
    for (ObjectNode plugin : plugins) {
      types.add(plugin.get("type").asText());
      String ipam = Json.text(plugin.get("ipam"), "type");
      if (!ipam.isEmpty()) {
        types.add(ipam);
      }
    }
    return types.stream().distinct().toList();
  }

  /** True if the spec version is at least the given one (versions are x.y.z). */
  boolean versionAtLeast(String version) {
    return compare(cniVersion, version) >= 0;
  }

  static int compare(String a, String b) {
    String[] x = a.split("\\.");
    String[] y = b.split("\\.");
    for (int i = 0; i < 3; i++) {
      int difference = Integer.parseInt(x[i]) - Integer.parseInt(y[i]);
      if (difference != 0) {
        return difference;
      }
    }
    return 0;
  }

  private static String requiredName(ObjectNode root, String origin) {
    String name = Json.text(root, "name");
    if (name.isEmpty()) {
      throw invalid(origin, "has no \"name\"");
    }
    checkName(name, origin);
    return name;
  }

  /** Throws unless the name matches the spec's pattern (letters, digits, then also _ . -). */
  static void checkName(String name, String origin) {
    if (!NAME.matcher(name).matches()) {
      throw invalid(origin, "has network name '" + name + "'; the CNI spec allows letters and digits, then also"
          + " '_', '.' and '-'");
    }
  }

  /** {@code cniVersions} (spec 1.1.0): the versions the configuration may be called with; the runtime's among them. */
  private static List<String> versions(ObjectNode root, String origin) {
    List<String> versions = new ArrayList<>();
    root.path("cniVersions").forEach(v -> versions.add(v.asText()));
    if (root.has("cniVersions") && versions.stream().noneMatch(SUPPORTED_VERSIONS::contains)) {
      throw new IgnisException(ErrorCode.INCOMPATIBLE_VERSION, "network config " + origin + " has cniVersions "
          + versions + ", none of which this runtime speaks (" + String.join(", ", SUPPORTED_VERSIONS.stream().sorted()
          .toList()) + ")");
    }
    return versions.stream().filter(SUPPORTED_VERSIONS::contains).sorted(NetworkConfigList::compare).toList();
  }

  private static String checkVersion(ObjectNode root, List<String> versions, String origin) {
    String version = Json.text(root, "cniVersion");
    if (version.isEmpty() && !versions.isEmpty()) {
      return versions.get(versions.size() - 1);
    }
    if (!SUPPORTED_VERSIONS.contains(version)) {
      throw new IgnisException(ErrorCode.INCOMPATIBLE_VERSION, "network config " + origin + " has cniVersion '"
          + version + "'; supported are " + String.join(", ", SUPPORTED_VERSIONS.stream().sorted().toList()));
    }
    return version;
  }

  private static void checkType(ObjectNode plugin, String origin) {
    String type = Json.text(plugin, "type");
    if (type.isEmpty() || type.contains("/") || type.equals(".") || type.equals("..")) {
      throw invalid(origin, "has plugin type '" + type + "'; a type must be a plain binary name such as bridge");
    }
  }

  private static IgnisException invalid(String origin, String problem) {
    return new IgnisException(ErrorCode.INVALID_NETWORK_CONFIG, "network config " + origin + " " + problem);
  }
}
