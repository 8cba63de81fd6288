package dev.ignis.plugin.cni;

import dev.ignis.spi.Command;
import dev.ignis.spi.CommandResult;
import dev.ignis.spi.CommandRunner;
import dev.ignis.spi.ErrorCode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The masquerade rules of one attachment that the bridge plugin's DEL left behind. The bridge
 * plugin finds its {@code ipMasq} rules through the addresses on the container's interface; when
 * that interface is gone (deleted in the sandbox, or the sandbox with it) its DEL succeeds and
 * leaves a {@code POSTROUTING} jump and a {@code CNI-<hash>} chain in the nat table. Removed here
 * after a successful DEL, as the plugin's own teardown would: only rules whose comment is exactly
 * the bridge plugin's {@code name: "<network>" id: "<container id>"}, and a chain only when every
 * rule in it carries that comment.
 */
final class MasqueradeLeftovers {

  private final CommandRunner commands;

  MasqueradeLeftovers(CommandRunner commands) {
    this.commands = commands;
  }

  /** Removes what is left of the attachment's masquerade rules; returns how many rules went. */
  int remove(String network, String containerId) {
    int removed = 0;
    for (String tool : List.of("iptables", "ip6tables")) {
      CommandResult saved = commands.run(Command.of(tool + "-save", "-t", "nat"));
      if (!saved.succeeded()) {
        continue; // no such table or tool here: nothing of ours either
      }
      String restore = restoreInput(saved.stdout().lines().toList(), network, containerId);
      if (!restore.isEmpty()) {
        commands.run(Command.of(tool + "-restore", "--noflush").withStdin(restore)).orThrow(ErrorCode.IO_FAILURE);
        removed += (int) restore.lines().filter(l -> l.startsWith("-D ")).count();
      }
    }
    return removed;
  }

  /** The iptables-restore input deleting the attachment's rules and its own chains; empty if none. */
  static String restoreInput(List<String> natTable, String network, String containerId) {
    String comment = "--comment \"name: \\\"" + network + "\\\" id: \\\"" + containerId + "\\\"\"";
    List<String> ours = natTable.stream().filter(l -> l.startsWith("-A ") && l.contains(comment)).toList();
    if (ours.isEmpty()) {
      return "";
    }
    Set<String> chains = new LinkedHashSet<>();
    for (String rule : ours) {
      String[] words = rule.split(" ");
      for (int i = 0; i + 1 < words.length; i++) {
        if (words[i].equals("-j") && words[i + 1].startsWith("CNI-")) {
          chains.add(words[i + 1]);
        }
      }
    }
    // A chain goes only if it holds nothing but our rules.
    chains.removeIf(chain -> natTable.stream().filter(l -> l.startsWith("-A " + chain + " "))
        .anyMatch(l -> !l.contains(comment)));
    List<String> lines = new ArrayList<>(List.of("*nat"));
    ours.stream().filter(rule -> chains.stream().noneMatch(chain -> rule.startsWith("-A " + chain + " ")))
        .forEach(rule -> lines.add("-D " + rule.substring(3)));
    chains.forEach(chain -> {
      lines.add("-F " + chain);
      lines.add("-X " + chain);
    });
    lines.add("COMMIT");
    return String.join("\n", lines) + "\n";
  }
}
