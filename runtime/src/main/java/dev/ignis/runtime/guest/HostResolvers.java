package dev.ignis.runtime.guest;

import dev.ignis.spi.IpConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The host's nameservers as a guest can use them: those of {@code /etc/resolv.conf}, where a
 * loopback stub (systemd-resolved's 127.0.0.53, NetworkManager's dnsmasq) stands for the
 * upstream servers its daemon lists ({@code /run/systemd/resolve/resolv.conf}, {@code
 * /run/NetworkManager/no-stub-resolv.conf}): a guest cannot reach the host's loopback. Link-local
 * addresses with a zone are left out too. Never anything the host does not name: no public
 * resolver is made up.
 */
public final class HostResolvers {

  /** The files read, in order: the host's resolver configuration, then the stubs' upstream lists. */
  public static final List<Path> DEFAULT_FILES = List.of(Path.of("/etc/resolv.conf"),
      Path.of("/run/systemd/resolve/resolv.conf"), Path.of("/run/NetworkManager/no-stub-resolv.conf"));

  private final Path resolvConf;
  private final List<Path> upstreamLists;

  /** The host's: {@link #DEFAULT_FILES}. */
  public HostResolvers() {
    this(DEFAULT_FILES.get(0), DEFAULT_FILES.subList(1, DEFAULT_FILES.size()));
  }

  /** Resolvers from these files (tests). */
  public HostResolvers(Path resolvConf, List<Path> upstreamLists) {
    this.resolvConf = resolvConf;
    this.upstreamLists = List.copyOf(upstreamLists);
  }

  /** What the host's resolver configuration names, as a guest can reach it; possibly none. */
  public Answer servers() {
    List<String> named = nameservers(resolvConf);
    Set<String> usable = new LinkedHashSet<>();
    List<String> stubs = new ArrayList<>();
    for (String server : named) {
      if (isLoopback(server)) {
        stubs.add(server);
      } else if (isUsable(server)) {
        usable.add(server);
      }
    }
    if (!stubs.isEmpty()) {
      for (Path upstream : upstreamLists) {
        nameservers(upstream).stream().filter(HostResolvers::isUsable).forEach(usable::add);
      }
    }
    return new Answer(List.copyOf(usable), stubs);
  }

  /**
   * The host's nameservers for guests.
   *
   * @param servers the usable ones, in the host's order
   * @param loopbackStubs the loopback ones named in resolv.conf (for a message when nothing else is left)
   */
  public record Answer(List<String> servers, List<String> loopbackStubs) {}

  private static List<String> nameservers(Path file) {
    List<String> servers = new ArrayList<>();
    try {
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        String[] words = line.strip().split("\\s+");
        if (words.length >= 2 && words[0].equals("nameserver")) {
          servers.add(words[1]);
        }
      }
    } catch (IOException | java.io.UncheckedIOException e) {
      // Absent or unreadable: names nothing.
    }
    return servers;
  }

  /**
   * Whether a guest can use this nameserver: an IP literal (a name would have to be looked up)
   * that is neither loopback nor link-local with a zone.
   */
  public static boolean isUsable(String server) {
    return IpConfig.isIpLiteral(server) && !server.contains("%") && !isLoopback(server);
  }

  private static boolean isLoopback(String server) {
    String plain = server.replaceFirst("%.*", "");
    try {
      return IpConfig.isIpLiteral(plain) && InetAddress.getByName(plain).isLoopbackAddress();
    } catch (IOException unreachable) {
      return false; // a literal is never looked up
    }
  }
}
