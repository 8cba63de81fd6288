package dev.ignis.runtime.plugin;

/**
 * One plugin jar as {@code runtime plugins} shows it.
 *
 * @param id the plugin id, or empty when the jar could not be read
 * @param version the plugin version
 * @param provider who made it
 * @param requires the SPI range it needs
 * @param state {@code started} or {@code skipped}
 * @param jar the jar file
 * @param reason why it was skipped, else empty
 * @param description what it does
 */
public record PluginInfo(
    String id, String version, String provider, String requires, String state, String jar, String reason,
    String description) {

  static final String STARTED = "started";
  static final String SKIPPED = "skipped";

  static PluginInfo started(PluginJar jar, String description) {
    return new PluginInfo(jar.id(), jar.version(), jar.provider(), jar.requires(), STARTED,
        jar.jar().toString(), "", description.isEmpty() ? jar.description() : description);
  }

  static PluginInfo skipped(PluginJar jar, String reason) {
    return new PluginInfo(jar.id(), jar.version(), jar.provider(), jar.requires(), SKIPPED,
        jar.jar().toString(), reason, jar.description());
  }

  static PluginInfo unreadable(java.nio.file.Path jar, String reason) {
    return new PluginInfo("", "", "", "", SKIPPED, jar.toString(), reason, "");
  }

  /** True if the plugin can be used. */
  public boolean isStarted() {
    return STARTED.equals(state);
  }
}
