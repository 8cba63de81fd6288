package dev.ignis.runtime.config;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The runtime's version, as built into its jar. */
public final class RuntimeVersion {

  private RuntimeVersion() {}

  public static String current() {
    Properties properties = new Properties();
    try (InputStream in = RuntimeVersion.class.getResourceAsStream("/ignis-version.properties")) {
      if (in != null) {
        properties.load(in);
      }
    } catch (IOException e) {
      // Unknown version; reported as such.
    }
    return properties.getProperty("version", "unknown");
  }
}
