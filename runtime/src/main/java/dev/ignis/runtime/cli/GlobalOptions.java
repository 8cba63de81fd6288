package dev.ignis.runtime.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Global options given after the command ({@code runtime ps --state-dir X}, as Docker and
 * Ignite take them): moved before the command word, where every reader of the command line
 * (the client, the daemon address, picocli) finds them. Not moved: anything after {@code --},
 * and anything after the first argument of a command whose later words are someone else's
 * ({@code ssh VM CMD...}, {@code exec VM -- CMD...}, {@code bootstrap ACTION ARGS...}). No
 * lambdas: the thin client calls this before anything else, on a cold JVM.
 */
public final class GlobalOptions {

  private static final Set<String> WITH_VALUE = Set.of("--state-dir", "--plugins-dir");
  private static final Set<String> FLAGS = Set.of("-v", "--verbose");
  private static final Set<String> OTHERS_WORDS = Set.of("ssh", "exec", "bootstrap");

  private GlobalOptions() {}

  /** The arguments with the global options after the command word moved in front of it. */
  public static String[] hoisted(String[] args) {
    int command = commandWord(args);
    if (command < 0 || args[command].equals("__complete")) { // the words being completed stay as typed
      return args;
    }
    List<String> moved = new ArrayList<>();
    List<String> rest = new ArrayList<>();
    boolean othersWords = OTHERS_WORDS.contains(args[command]);
    boolean stop = false;
    for (int i = command + 1; i < args.length; i++) {
      String arg = args[i];
      stop = stop || arg.equals("--") || othersWords && !arg.startsWith("-");
      if (!stop && WITH_VALUE.contains(arg) && i + 1 < args.length) {
        moved.add(arg);
        moved.add(args[++i]);
      } else if (!stop && (FLAGS.contains(arg) || arg.startsWith("--state-dir=") || arg.startsWith("--plugins-dir="))) {
        moved.add(arg);
      } else {
        rest.add(arg);
      }
    }
    if (moved.isEmpty()) {
      return args;
    }
    List<String> result = new ArrayList<>(List.of(args).subList(0, command));
    result.addAll(moved);
    result.add(args[command]);
    result.addAll(rest);
    return result.toArray(String[]::new);
  }

  /**
   * The index of the command word: the first argument that is neither a root option nor its
   * value; -1 if none. The one reading of it for the client, the hoisting and the registration.
   */
  public static int commandWord(String[] args) {
    for (int i = 0; i < args.length; i++) {
      if (WITH_VALUE.contains(args[i]) || args[i].equals("--network-plugin")) {
        i++;
      } else if (!args[i].startsWith("-")) {
        return i;
      }
    }
    return -1;
  }
}
