/**
 * The Ignis network plugin SPI: the one package a network plugin compiles against.
 *
 * <p>A plugin provides {@link dev.ignis.spi.NetworkPlugin} the standard Java way, so the same
 * jar works with {@link java.util.ServiceLoader} and with the runtime's PF4J loader.
 */
module dev.ignis.spi {
  exports dev.ignis.spi;

  uses dev.ignis.spi.NetworkPlugin;
}
