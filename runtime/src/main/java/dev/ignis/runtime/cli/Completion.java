package dev.ignis.runtime.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * What the shell may put in place of the word being typed, read from picocli's model of the
 * command line (so new commands and options complete without anyone touching the scripts):
 * subcommands, options, enum values in lower case, and the names of the things an argument
 * names (VMs, images, kernels, plugins). Candidates start with the typed word.
 */
final class Completion {

  /** The names the host has now; each is asked for only when a word needs it. */
  record Sources(Supplier<List<String>> vms, Supplier<List<String>> images, Supplier<List<String>> kernels,
      Supplier<List<String>> plugins) {}

  /** A word the shell may offer, and what it is (zsh shows it; bash does not). */
  record Candidate(String word, String description) {}

  private static final List<String> ACCELS = List.of("auto", "kvm", "tcg");

  private Completion() {}

  /** Candidates for the last of {@code words} (the words after {@code runtime}; the last may be empty). */
  static List<Candidate> of(CommandSpec root, List<String> words, Sources sources) {
    String current = words.isEmpty() ? "" : words.get(words.size() - 1);
    CommandSpec command = root;
    int positional = 0;
    boolean optionsEnded = false;
    OptionSpec awaitingValue = null;
    for (String word : words.subList(0, Math.max(0, words.size() - 1))) {
      if (awaitingValue != null) {
        awaitingValue = null;
      } else if (!optionsEnded && word.equals("--")) {
        optionsEnded = true;
      } else if (!optionsEnded && word.startsWith("-") && word.length() > 1) {
        OptionSpec option = option(command, root, word.contains("=") ? word.substring(0, word.indexOf('=')) : word);
        awaitingValue = option != null && takesValue(option) && !word.contains("=") ? option : null;
      } else if (positional == 0 && command.subcommands().containsKey(word)) {
        command = command.subcommands().get(word).getCommandSpec();
      } else {
        positional++;
      }
    }
    List<Candidate> candidates = new ArrayList<>();
    if (awaitingValue != null && awaitingValue.longestName().equals("--filter") && current.contains("=")) {
      filterValues(current.substring(0, current.indexOf('=')), sources)
          .forEach(v -> candidates.add(new Candidate(current.substring(0, current.indexOf('=') + 1) + v, "")));
    } else if (awaitingValue != null) {
      values(awaitingValue, root, sources).forEach(v -> candidates.add(new Candidate(v, "")));
    } else if (!optionsEnded && current.startsWith("--") && current.contains("=")) {
      String name = current.substring(0, current.indexOf('='));
      OptionSpec option = option(command, root, name);
      if (option != null) {
        values(option, root, sources).forEach(v -> candidates.add(new Candidate(name + "=" + v, "")));
      }
    } else if (!optionsEnded && current.startsWith("-")) {
      options(command, candidates);
      if (command != root) {
        root.options().stream().filter(o -> !o.hidden() && !o.usageHelp() && !o.versionHelp())
            .forEach(o -> add(o, candidates));
      }
    } else if (positional == 0 && !command.subcommands().isEmpty()) {
      command.subcommands().forEach((name, sub) -> {
        if (!sub.getCommandSpec().usageMessage().hidden() && name.equals(sub.getCommandSpec().name())) {
          candidates.add(new Candidate(name, firstLine(sub.getCommandSpec().usageMessage().description())));
        }
      });
    } else {
      PositionalParamSpec param = positionalAt(command, positional);
      if (param != null) {
        List<String> values = command.name().equals("help") ? List.copyOf(root.subcommands().keySet())
            : values(param, root, sources);
        values.forEach(v -> candidates.add(new Candidate(v, "")));
      }
    }
    return candidates.stream().filter(c -> c.word().startsWith(current) && !c.word().startsWith("__")).distinct()
        .toList();
  }

  private static void options(CommandSpec command, List<Candidate> candidates) {
    command.options().stream().filter(o -> !o.hidden()).forEach(o -> add(o, candidates));
  }

  private static void add(OptionSpec option, List<Candidate> candidates) {
    String description = firstLine(option.description());
    for (String name : option.names()) {
      candidates.add(new Candidate(name, description));
    }
  }

  private static OptionSpec option(CommandSpec command, CommandSpec root, String name) {
    OptionSpec option = command.findOption(name);
    return option != null ? option : root.findOption(name);
  }

  private static boolean takesValue(OptionSpec option) {
    return option.arity().min() > 0;
  }

  private static PositionalParamSpec positionalAt(CommandSpec command, int index) {
    for (PositionalParamSpec param : command.positionalParameters()) {
      if (param.index().contains(index) || param.index().isUnresolved()) {
        return param;
      }
    }
    return null;
  }

  /** Values of an option or parameter: its enum's constants, else the names its label asks for. */
  private static List<String> values(ArgSpec arg, CommandSpec root, Sources sources) {
    if (arg.completionCandidates() != null) {
      List<String> values = new ArrayList<>();
      arg.completionCandidates().forEach(v -> values.add(v.toLowerCase(Locale.ROOT)));
      return values;
    }
    String label = arg.paramLabel();
    boolean option = arg instanceof OptionSpec;
    String longName = option ? ((OptionSpec) arg).longestName() : "";
    return switch (label) {
      case "VM" -> sources.vms().get();
      case "IMAGE" -> sources.images().get();
      case "KERNEL" -> sources.kernels().get();
      case "ACCEL" -> ACCELS;
      case "KEY=VALUE" -> longName.equals("--filter") ? List.of("name=", "id=", "status=", "plugin=", "network=", "label=")
          : List.of();
      default -> longName.equals("--network-plugin") || longName.equals("--network") ? sources.plugins().get()
          : List.of();
    };
  }

  /** The values of a {@code ps --filter KEY=} that the host can name. */
  private static List<String> filterValues(String key, Sources sources) {
    return switch (key) {
      case "status" -> List.of("created", "running", "exited", "stopped", "starting", "stopping");
      case "name" -> sources.vms().get();
      case "plugin" -> sources.plugins().get();
      default -> List.of();
    };
  }

  private static String firstLine(String[] description) {
    return description.length == 0 ? "" : description[0].replaceAll("\\$\\{[A-Z-]+}", "").strip()
        .replaceAll("\\s+", " ");
  }
}
