package dev.ignis.runtime.cli;

import dev.ignis.runtime.config.SettingsLoader;
import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import java.io.PrintStream;
import java.io.PrintWriter;
import picocli.CommandLine;

/**
 * The command line as a function: {@link #run} takes arguments and streams and returns the
 * exit status, so tests call it in process.
 *
 * <p>Exit status: 0 ok; 2 usage; 100 bad input; 101 not found; 102 conflict with the current
 * state; 103 host or service not as required; 104 a plugin failed; 125 internal error.
 */
public final class Cli {

  /** Exit status of a usage error. */
  public static final int USAGE = 2;
  /** Exit status of a command cancelled with Ctrl-C, as shells report SIGINT. */
  public static final int CANCELLED = 130;

  private final PrintStream out;
  private final PrintStream err;
  private final SettingsLoader settingsLoader;
  private final CliSession session;

  /** A command line in a process of its own, with the given streams and settings. */
  public Cli(PrintStream out, PrintStream err, SettingsLoader settingsLoader) {
    this(out, err, settingsLoader, CliSession.thisProcess());
  }

  /** A command line for a caller elsewhere (ignisd's clients). */
  public Cli(PrintStream out, PrintStream err, SettingsLoader settingsLoader, CliSession session) {
    this.out = out;
    this.err = err;
    this.settingsLoader = settingsLoader;
    this.session = session;
  }

  /** The command line of this process: its streams, environment and install dir. */
  public static Cli forThisProcess() {
    return new Cli(System.out, System.err, SettingsLoader.forThisProcess());
  }

  /** Runs one command and returns its exit status. */
  public int run(String... given) {
    Warmup.start();
    String[] args = GlobalOptions.hoisted(given);
    RootCommand root = new RootCommand(out, err, settingsLoader, session);
    CommandLine commandLine = new CommandLine(root);
    Subcommands.register(commandLine, args);
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(err, true));
    commandLine.setCaseInsensitiveEnumValuesAllowed(true);
    // Relative paths are the caller's; an empty one stays empty for the options to refuse.
    commandLine.registerConverter(java.nio.file.Path.class,
        value -> value.isBlank() ? java.nio.file.Path.of(value) : session.resolve(value));
    // Everything after the bootstrap action belongs to the plugin, options included.
    CommandLine bootstrap = commandLine.getSubcommands().get("bootstrap");
    if (bootstrap != null) {
      bootstrap.setStopAtPositional(true);
      bootstrap.setUnmatchedOptionsArePositionalParams(true);
    }
    commandLine.setParameterExceptionHandler((e, arguments) -> {
      java.util.List<String> suggestions = Suggestions.of(e);
      err.println("error: " + lowerCaseEnums(e.getMessage()) + (suggestions.isEmpty() ? "" : "; did you mean "
          + String.join(" or ", suggestions.stream().map(s -> "'" + s + "'").toList()) + "?"));
      CommandLine command = e.getCommandLine();
      err.println("See '" + command.getCommandSpec().qualifiedName() + " --help'.");
      return USAGE;
    });
    commandLine.setExecutionExceptionHandler((e, command, parsed) -> report(e, root.verbose()));
    try {
      return commandLine.execute(args);
    } finally {
      out.flush();
      err.flush();
    }
  }

  private static final java.util.regex.Pattern ENUM_VALUES =
      java.util.regex.Pattern.compile("expected one of \\[([A-Z0-9_, ]+)] \\(case-insensitive\\)");

  /** picocli's "expected one of [TABLE, JSON] (case-insensitive)" as users write the values: "table, json". */
  static String lowerCaseEnums(String message) {
    java.util.regex.Matcher values = ENUM_VALUES.matcher(message);
    return values.find() ? message.substring(0, values.start()) + "expected one of "
        + values.group(1).toLowerCase(java.util.Locale.ROOT) + message.substring(values.end()) : message;
  }

  private int report(Exception e, boolean verbose) {
    if (e instanceof InterruptedException) { // cancelled (Ctrl-C) while it waited: nothing went wrong
      Thread.currentThread().interrupt();
      return CANCELLED;
    }
    if (e instanceof IgnisException ignis) {
      err.println("error: " + ignis.getMessage());
      if (verbose) {
        if (!ignis.details().isBlank()) {
          err.println(ignis.details().strip());
        }
        e.printStackTrace(err);
      }
      return exitStatus(ignis.code());
    }
    err.println("error: internal error: " + e + (verbose ? "" : " (run with -v for the stack trace)"));
    if (verbose) {
      e.printStackTrace(err);
    }
    return exitStatus(ErrorCode.INTERNAL);
  }

  /** The exit status for an error code, by its category. */
  public static int exitStatus(ErrorCode code) {
    return switch (code.category()) {
      case INPUT -> 100;
      case NOT_FOUND -> 101;
      case CONFLICT -> 102;
      case ENVIRONMENT -> 103;
      case PLUGIN -> 104;
      case INTERNAL -> 125;
    };
  }
}
