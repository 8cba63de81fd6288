package dev.ignis.runtime.plugin;

import dev.ignis.runtime.testplugin.RecordingPlugin;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/** Writes real plugin jars for tests: the {@link RecordingPlugin} class with a chosen descriptor. */
public final class PluginJars {

  private PluginJars() {}

  /** The manifest attributes of a valid jar with this id. */
  public static Map<String, String> descriptor(String id) {
    Map<String, String> attributes = new LinkedHashMap<>();
    attributes.put("Plugin-Id", id);
    attributes.put("Plugin-Version", "1.2.3");
    attributes.put("Plugin-Provider", "Tests");
    attributes.put("Plugin-Requires", ">=2.0.0 & <3.0.0");
    return attributes;
  }

  /** A jar holding the recording plugin with the given manifest attributes (none: no manifest). */
  public static Path write(Path jar, Map<String, String> attributes, boolean withServiceFile) throws IOException {
    try (OutputStream file = Files.newOutputStream(jar);
        JarOutputStream out = attributes == null ? new JarOutputStream(file) : new JarOutputStream(file, manifest(attributes))) {
      String classFile = RecordingPlugin.class.getName().replace('.', '/') + ".class";
      out.putNextEntry(new JarEntry(classFile));
      try (InputStream in = RecordingPlugin.class.getClassLoader().getResourceAsStream(classFile)) {
        in.transferTo(out);
      }
      if (withServiceFile) {
        out.putNextEntry(new JarEntry("META-INF/services/dev.ignis.spi.NetworkPlugin"));
        out.write((RecordingPlugin.class.getName() + "\n").getBytes(StandardCharsets.UTF_8));
      }
    }
    return jar;
  }

  private static Manifest manifest(Map<String, String> attributes) {
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    attributes.forEach((key, value) -> manifest.getMainAttributes().putValue(key, value));
    return manifest;
  }
}
