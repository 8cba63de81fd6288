package dev.ignis.runtime.plugin;

import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * A plugin jar's PF4J descriptor as read from its manifest, before anything is loaded.
 *
 * @param jar the jar file
 * @param id {@code Plugin-Id}
 * @param version {@code Plugin-Version}
 * @param provider {@code Plugin-Provider}, or empty
 * @param requires {@code Plugin-Requires}, the SPI range, or {@code *}
 * @param description {@code Plugin-Description}, or empty
 * @param dependencies the ids of the plugins it needs ({@code Plugin-Dependencies}, optional ones
 *     marked {@code ?} left out)
 */
record PluginJar(Path jar, String id, String version, String provider, String requires, String description,
    java.util.List<String> dependencies) {

  static final String SERVICE_FILE = "META-INF/services/dev.ignis.spi.NetworkPlugin";

  /** Reads and checks the descriptor; the exception's message is the reason to skip the jar. */
  static PluginJar read(Path jar) {
    try (JarFile file = new JarFile(jar.toFile())) {
      Manifest manifest = file.getManifest();
      if (manifest == null) {
        throw skip("it has no META-INF/MANIFEST.MF");
      }
      Attributes main = manifest.getMainAttributes();
      String id = required(main, "Plugin-Id");
      if (!id.matches("[a-z0-9][a-z0-9._-]*")) {
        throw skip("Plugin-Id '" + id + "' is not lower-case letters, digits, '.', '_' and '-'");
      }
      String version = required(main, "Plugin-Version");
      if (file.getEntry(SERVICE_FILE) == null) {
        throw skip("it declares no network plugin (" + SERVICE_FILE + " is missing)");
      }
      return new PluginJar(jar, id, version, optional(main, "Plugin-Provider"),
          optional(main, "Plugin-Requires").isEmpty() ? "*" : optional(main, "Plugin-Requires"),
          optional(main, "Plugin-Description"), dependencies(optional(main, "Plugin-Dependencies")));
    } catch (IOException e) {
      throw skip("it is not a readable jar (" + e.getMessage() + ")");
    }
  }

  /** PF4J's {@code id[@versions][?]} list, comma-separated; the ids of the required ones. */
  private static java.util.List<String> dependencies(String text) {
    return java.util.Arrays.stream(text.split(",")).map(String::strip).filter(d -> !d.isEmpty() && !d.endsWith("?"))
        .map(d -> d.replaceFirst("@.*", "")).toList();
  }

  private static String required(Attributes attributes, String name) {
    String value = optional(attributes, name);
    if (value.isEmpty()) {
      throw skip("its manifest lacks " + name);
    }
    return value;
  }

  private static String optional(Attributes attributes, String name) {
    String value = attributes.getValue(name);
    return value == null ? "" : value.strip();
  }

  private static IgnisException skip(String reason) {
    return new IgnisException(ErrorCode.INVALID_NETWORK_CONFIG, reason);
  }
}
