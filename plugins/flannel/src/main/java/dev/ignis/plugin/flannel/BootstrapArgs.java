package dev.ignis.plugin.flannel;

import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The arguments of a bootstrap action: {@code --option VALUE}, {@code --flag} and positionals. */
record BootstrapArgs(String action, Map<String, String> options, Set<String> flags, List<String> positionals) {

  static BootstrapArgs parse(String action, List<String> args, Set<String> optionNames, Set<String> flagNames,
      int positionalCount, String usage) {
    Map<String, String> options = new HashMap<>();
    Set<String> flags = new HashSet<>();
    List<String> positionals = new ArrayList<>();
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      String name = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
      if (flagNames.contains(arg)) {
        flags.add(arg);
      } else if (optionNames.contains(name)) {
        String value = arg.contains("=") ? arg.substring(arg.indexOf('=') + 1) : i + 1 < args.size() ? args.get(++i) : null;
        if (value == null || value.isBlank()) {
          throw usage(action, name + " needs a value", usage);
        }
        options.put(name, value);
      } else if (arg.startsWith("--")) {
        throw usage(action, "unknown option " + arg, usage);
      } else {
        positionals.add(arg);
      }
    }
    if (positionals.size() != positionalCount) {
      throw usage(action, positionalCount == 0 ? "it takes no arguments besides options"
          : "it takes " + positionalCount + " argument" + (positionalCount > 1 ? "s" : ""), usage);
    }
    return new BootstrapArgs(action, options, flags, positionals);
  }

  Optional<String> option(String name) {
    return Optional.ofNullable(options.get(name));
  }

  boolean flag(String name) {
    return flags.contains(name);
  }

  private static IgnisException usage(String action, String problem, String usage) {
    return new IgnisException(ErrorCode.INVALID_ARGUMENT, "bootstrap " + action + ": " + problem + "; usage: " + usage);
  }
}
