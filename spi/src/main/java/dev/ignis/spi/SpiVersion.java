package dev.ignis.spi;

/**
 * The version of this SPI, in semantic-versioning form.
 *
 * <p>Plugin jars declare the range they need in their manifest ({@code Plugin-Requires:
 * >=1.0.0 & <2.0.0}); the runtime refuses a plugin whose range excludes {@link #CURRENT}. A
 * minor version adds {@code default} methods or optional record components; a major version
 * breaks plugins.
 */
public final class SpiVersion {

  /** The SPI version this jar implements. */
  public static final String CURRENT = "1.2.0";

  private SpiVersion() {}
}
