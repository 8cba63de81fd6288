package dev.ignis.runtime.cli;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import picocli.CommandLine;

/**
 * "Did you mean": the subcommands and options of the command a mistyped word was given to that
 * are nearest it, by edit distance with transpositions ({@code sotp} is one step from {@code
 * stop}); none when nothing is near.
 */
final class Suggestions {

  private Suggestions() {}

  /** For an unmatched argument or unknown option, the nearest names; else none. */
  static List<String> of(CommandLine.ParameterException e) {
    if (!(e instanceof CommandLine.UnmatchedArgumentException unmatched) || unmatched.getUnmatched().isEmpty()) {
      return List.of();
    }
    String word = unmatched.getUnmatched().get(0);
    List<String> candidates = new ArrayList<>(e.getCommandLine().getSubcommands().keySet());
    e.getCommandLine().getCommandSpec().options().forEach(option -> candidates.addAll(List.of(option.names())));
    return nearest(word.contains("=") ? word.substring(0, word.indexOf('=')) : word, candidates);
  }

  /** The candidates at the least distance from {@code word}, if that is small for its length. */
  static List<String> nearest(String word, Collection<String> candidates) {
    int limit = Math.max(1, Math.min(2, word.length() / 3));
    int best = limit + 1;
    List<String> found = new ArrayList<>();
    for (String candidate : candidates) {
      int distance = distance(word, candidate);
      if (distance > limit) {
        continue;
      }
      if (distance < best) {
        best = distance;
        found.clear();
      }
      if (distance == best && !found.contains(candidate)) {
        found.add(candidate);
      }
    }
    return found;
  }

  /** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps. */
  static int distance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }
}
