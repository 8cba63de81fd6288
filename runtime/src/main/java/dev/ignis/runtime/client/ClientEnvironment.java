package dev.ignis.runtime.client;

import java.util.Map;
import java.util.TreeMap;

/**
 * The part of a caller's environment that is the runtime's business: {@code IGNIS_*} settings
 * (less the launcher's own) and {@code DOCKER_HOST}. A client sends it with each command;
 * ignisd resolves the command's settings from it, as a process of its own would.
 */
public final class ClientEnvironment {

  private ClientEnvironment() {}

  public static Map<String, String> relevant(Map<String, String> environment) {
    Map<String, String> relevant = new TreeMap<>();
    for (Map.Entry<String, String> entry : environment.entrySet()) {
      String name = entry.getKey();
      if (name.startsWith("IGNIS_") && !isLauncherOnly(name) || name.equals("DOCKER_HOST")) {
        relevant.put(name, entry.getValue());
      }
    }
    return relevant;
  }

  private static boolean isLauncherOnly(String name) {
    return name.equals("IGNIS_DAEMON") || name.equals("IGNIS_JAVA_OPTS") || name.startsWith("IGNIS_CDS")
        || name.equals("IGNIS_LAUNCH");
  }
}
