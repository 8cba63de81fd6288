package dev.ignis.runtime.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import picocli.CommandLine;

/**
 * The subcommands of {@code runtime}, registered lazily: when the arguments name one, only
 * that one is built. Building picocli's model of every command costs start-up time (its
 * classes cannot be class-data shared on Java 17), and a command needs only its own model;
 * help and usage errors still see all of them.
 */
final class Subcommands {

  /** The hidden command the completion scripts call. */
  static final String COMPLETE = "__complete";

  private static final Map<String, Supplier<Object>> ALL = new LinkedHashMap<>();

  static {
    ALL.put("run", RunCommand::new);
    ALL.put("create", CreateCommand::new);
    ALL.put("start", StartCommand::new);
    ALL.put("stop", StopCommand::new);
    ALL.put("kill", KillCommand::new);
    ALL.put("rm", RmCommand::new);
    ALL.put("ps", PsCommand::new);
    ALL.put("inspect", InspectCommand::new);
    ALL.put("logs", LogsCommand::new);
    ALL.put("attach", AttachCommand::new);
    ALL.put("port", PortCommand::new);
    ALL.put("image", ImageCommand::new);
    ALL.put("kernel", KernelCommand::new);
    ALL.put("ssh", SshCommand::new);
    ALL.put("exec", ExecCommand::new);
    ALL.put("cp", CpCommand::new);
    ALL.put("plugins", PluginsCommand::new);
    ALL.put("bootstrap", BootstrapCommand::new);
    ALL.put("check", CheckCommand::new);
    ALL.put("gc", GcCommand::new);
    ALL.put("daemon", DaemonCommand::new);
    ALL.put("version", VersionCommand::new);
    ALL.put("completion", CompletionCommand::new);
    ALL.put("help", CommandLine.HelpCommand::new); // help [COMMAND]: needs the others registered
    ALL.put(COMPLETE, CompleteCommand::new); // hidden; reads the model of all the others
  }

  private Subcommands() {}

  /** Commands whose words after the VM are a command for the VM, options included ({@code ssh web ls -l}). */
  private static final Set<String> PASS_THROUGH = Set.of("ssh", "exec");

  static void register(CommandLine root, String[] args) {
    String named = commandWord(args);
    Supplier<Object> only = ALL.get(named);
    if (only != null && !named.equals("help") && !named.equals(COMPLETE)) {
      add(root, named, only);
      return;
    }
    ALL.forEach((name, factory) -> add(root, name, factory));
  }

  private static void add(CommandLine root, String name, Supplier<Object> factory) {
    root.addSubcommand(name, factory.get());
    if (name.equals(COMPLETE)) { // its words are the command line being typed, "--" and options included
      CommandLine complete = root.getSubcommands().get(name);
      complete.setUnmatchedOptionsArePositionalParams(true);
      complete.setEndOfOptionsDelimiter("\u0000");
    }
    if (PASS_THROUGH.contains(name)) {
      root.getSubcommands().get(name).setStopAtPositional(true);
    }
  }

  /** The first argument that is neither a root option nor its value, or empty. */
  static String commandWord(String[] args) {
    int index = GlobalOptions.commandWord(args);
    return index < 0 ? "" : args[index];
  }
}
