package dev.ignis.spi;

import java.util.List;

/**
 * DNS settings for the guest. Immutable; make one with {@link #of} (the canonical constructor may
 * gain components in a minor SPI version). Empty lists mean "no DNS from the network": Ignis never
 * falls back to public resolvers.
 *
 * @param nameservers resolver addresses
 * @param domain the local domain, or empty
 * @param search search domains
 */
public record Dns(List<String> nameservers, String domain, List<String> search) {

  /** No DNS settings. */
  public static final Dns NONE = new Dns(List.of(), "", List.of());

  /** DNS settings from resolver addresses, a local domain (or empty) and search domains. */
  public static Dns of(List<String> nameservers, String domain, List<String> search) {
    return new Dns(nameservers, domain, search);
  }

  /** Copies the lists. */
  public Dns {
    nameservers = nameservers == null ? List.of() : List.copyOf(nameservers);
    domain = domain == null ? "" : domain;
    search = search == null ? List.of() : List.copyOf(search);
  }
}
