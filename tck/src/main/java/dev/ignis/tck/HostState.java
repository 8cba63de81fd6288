package dev.ignis.tck;

import dev.ignis.spi.Command;
import dev.ignis.spi.CommandResult;
import dev.ignis.spi.CommandRunner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * What a plugin can leave behind, as sorted lines: links, addresses, routes, policy rules and
 * iptables rules of the host and of the observed namespaces, and the files of the observed dirs.
 * Link state, counters, timers and IPv6 link-local addresses and their routes are left out: the
 * kernel changes them on its own (a bridge's link-local address follows the MAC its ports give
 * it); a link-local address comes with a link, which is compared.
 */
final class HostState {

  private final TreeSet<String> lines;

  private HostState(TreeSet<String> lines) {
    this.lines = lines;
  }

  static HostState capture(CommandRunner commands, List<String> netnsPaths, List<Path> dirs) {
    TreeSet<String> lines = new TreeSet<>();
    List<String> places = new ArrayList<>();
    places.add("");
    places.addAll(netnsPaths);
    for (String netns : places) {
      String where = netns.isEmpty() ? "host" : netns;
      links(commands, netns).forEach(l -> lines.add(where + " link " + l));
      output(commands, netns, "ip", "-o", "addr", "show").lines().map(HostState::address)
          .filter(l -> !l.contains(" fe80:")).forEach(l -> lines.add(where + " addr " + l));
      for (String family : List.of("-4", "-6")) {
        output(commands, netns, "ip", family, "route", "show", "table", "all").lines().map(HostState::route)
            .filter(l -> !l.contains("fe80:")).forEach(l -> lines.add(where + " route " + l));
        output(commands, netns, "ip", family, "rule", "show").lines().forEach(l -> lines.add(where + " rule " + l));
      }
      for (String tool : List.of("iptables-save", "ip6tables-save")) {
        output(commands, netns, tool).lines().filter(l -> !l.startsWith("#")).map(l -> l.replaceAll(" \\[\\d+:\\d+]$", ""))
            .forEach(l -> lines.add(where + " " + tool + " " + l));
      }
    }
    for (Path dir : dirs) {
      files(dir).forEach(f -> lines.add("file " + f));
    }
    return new HostState(lines);
  }

  /** What this state has that the earlier one had not ("+ ...") and what it lost ("- ..."). */
  List<String> changesSince(HostState earlier) {
    List<String> changes = new ArrayList<>();
    lines.stream().filter(l -> !earlier.lines.contains(l)).forEach(l -> changes.add("+ " + l));
    earlier.lines.stream().filter(l -> !lines.contains(l)).forEach(l -> changes.add("- " + l));
    return changes;
  }

  private static List<String> links(CommandRunner commands, String netns) {
    // "7: vethX@if3: <BROADCAST,...> mtu ..." -> "vethX"
    return output(commands, netns, "ip", "-o", "link", "show").lines()
        .map(l -> l.replaceFirst("^\\d+: ([^:@ ]+).*", "$1")).toList();
  }

  private static String address(String line) {
    // "3: eth0    inet 10.0.0.2/24 brd ... scope global eth0\       valid_lft ..." -> "eth0 inet 10.0.0.2/24"
    String[] words = line.trim().split("\\s+");
    return words.length >= 4 ? words[1] + " " + words[2] + " " + words[3] : line;
  }

  private static String route(String line) {
    return line.replaceAll(" linkdown", "").replaceAll(" expires \\S+", "").strip();
  }

  /** A command's standard output, on the host or in a netns; empty if it failed or is not installed. */
  static String output(CommandRunner commands, String netns, String... argv) {
    Command command = Command.of(argv);
    CommandResult result = commands.run(netns.isEmpty() ? command : command.inNetns(netns));
    return result.succeeded() ? result.stdout() : "";
  }

  private static List<String> files(Path dir) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      return walk.filter(Files::isRegularFile).map(Path::toString).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
