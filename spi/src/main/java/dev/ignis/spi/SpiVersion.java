package dev.ignis.spi;

/**
 * The version of this SPI, in semantic-versioning form.
 *
 * <p>Plugin jars declare the range they need in their manifest ({@code Plugin-Requires:
 * >=2.0.0 & <3.0.0}); the runtime refuses a plugin whose range excludes {@link #CURRENT}. A minor
 * version adds {@code default} methods, record components (reachable through builders and
 * factories, which stay; canonical constructors change) and enum constants, so a plugin built
 * against 2.0 that makes values only through builders and factories runs on every 2.x. A major
 * version breaks plugins.
 *
 * <p>2.1.0 added long-lived jobs in a resident runtime ({@link PluginContext#startService},
 * {@link PluginContext#stopService}). 2.2.0 added the user's choice among a plugin's networks
 * ({@link AttachRequest#network}).
 */
public final class SpiVersion {

  /** The SPI version this jar implements. */
  public static final String CURRENT = "2.2.0";

  private SpiVersion() {}
}
