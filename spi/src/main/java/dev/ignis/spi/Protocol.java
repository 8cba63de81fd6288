package dev.ignis.spi;

import java.util.Locale;

/** A transport protocol of a port mapping. */
public enum Protocol {
  /** TCP, the default when a port spec names none. */
  TCP,
  /** UDP. */
  UDP,
  /** SCTP. */
  SCTP;

  /** The lower-case name used in port specs and CNI ({@code tcp}). */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses {@code tcp}, {@code udp} or {@code sctp}, in any case. */
  public static Protocol parse(String text) {
    for (Protocol protocol : values()) {
      if (protocol.label().equalsIgnoreCase(text)) {
        return protocol;
      }
    }
    throw Values.invalid("protocol '" + text + "' is not one of tcp, udp, sctp");
  }
}
