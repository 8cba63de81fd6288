package dev.ignis.spi;

import java.util.List;

/**
 * DNS settings for the guest. Empty lists mean "no DNS from the network": Ignis never
 * falls back to public resolvers.
 *
 * @param nameservers resolver addresses
 * @param domain the local domain, or empty
 * @param search search domains
 */
public record Dns(List<String> nameservers, String domain, List<String> search) {

  /** No DNS settings. */
  public static final Dns NONE = new Dns(List.of(), "", List.of());

  /** Copies the lists. */
  public Dns {
    nameservers = nameservers == null ? List.of() : List.copyOf(nameservers);
    domain = domain == null ? "" : domain;
    search = search == null ? List.of() : List.copyOf(search);
  }
}
