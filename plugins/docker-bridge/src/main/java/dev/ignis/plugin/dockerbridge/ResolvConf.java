package dev.ignis.plugin.dockerbridge;

import dev.ignis.spi.Dns;
import java.util.ArrayList;
import java.util.List;

/** Reads the DNS settings of a resolv.conf: nameservers, domain and search list. */
final class ResolvConf {

  private ResolvConf() {}

  static Dns parse(String text) {
    List<String> nameservers = new ArrayList<>();
    List<String> search = new ArrayList<>();
    String domain = "";
    for (String line : text.split("\n")) {
      String[] words = line.strip().split("\\s+");
      if (words.length < 2 || words[0].startsWith("#") || words[0].startsWith(";")) {
        continue;
      }
      switch (words[0]) {
        case "nameserver" -> nameservers.add(words[1]);
        case "domain" -> domain = words[1];
        case "search" -> search = new ArrayList<>(List.of(words).subList(1, words.length));
        default -> { }
      }
    }
    return Dns.of(nameservers, domain, search);
  }
}
