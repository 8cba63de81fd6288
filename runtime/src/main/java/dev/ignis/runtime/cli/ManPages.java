package dev.ignis.runtime.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * The files the distribution ships that are made from the command model at build time: a man
 * page per command ({@code runtime.1}, {@code runtime-run.1}, {@code runtime-image-import.1},
 * ...) and the bash and zsh completion scripts. {@code main(DIR)} writes them under {@code
 * DIR/share}.
 */
public final class ManPages {

  private final String version;

  private ManPages(String version) {
    this.version = version;
  }

  public static void main(String[] args) throws IOException {
    Path share = Path.of(args[0]);
    String version = args.length > 1 ? args[1] : "";
    CommandLine root = new CommandLine(new RootCommand(new PrintStream(PrintStream.nullOutputStream()),
        new PrintStream(PrintStream.nullOutputStream()), null, CliSession.thisProcess()));
    Subcommands.register(root, new String[0]);
    Path man1 = Files.createDirectories(share.resolve("man/man1"));
    new ManPages(version).write(root.getCommandSpec(), man1);
    Path bash = Files.createDirectories(share.resolve("bash-completion/completions"));
    Files.writeString(bash.resolve("runtime"), CompletionCommand.BASH);
    Path zsh = Files.createDirectories(share.resolve("zsh/site-functions"));
    Files.writeString(zsh.resolve("_runtime"), CompletionCommand.ZSH);
  }

  private void write(CommandSpec command, Path dir) throws IOException {
    if (command.usageMessage().hidden()) {
      return;
    }
    Files.writeString(dir.resolve(pageName(command) + ".1"), page(command), StandardCharsets.UTF_8);
    for (var entry : command.subcommands().entrySet()) {
      if (entry.getKey().equals(entry.getValue().getCommandSpec().name()) && !entry.getKey().equals("help")) {
        write(entry.getValue().getCommandSpec(), dir);
      }
    }
  }

  /** {@code runtime-image-import} for {@code runtime image import}. */
  static String pageName(CommandSpec command) {
    return command.qualifiedName("-");
  }

  String page(CommandSpec command) {
    StringBuilder page = new StringBuilder();
    String name = pageName(command);
    page.append(".TH ").append(name.toUpperCase(Locale.ROOT)).append(" 1 \"\" \"Ignis ").append(escape(version))
        .append("\" \"Ignis Manual\"\n");
    page.append(".SH NAME\n").append(escape(name)).append(" \\- ")
        .append(escape(firstSentence(join(command.usageMessage().description())))).append('\n');
    page.append(".SH SYNOPSIS\n.nf\n");
    String synopsis = new CommandLine.Help(command, new CommandLine.Help.ColorScheme.Builder(CommandLine.Help.Ansi.OFF)
        .build()).synopsis(0).strip();
    page.append(escape(synopsis)).append("\n.fi\n");
    page.append(".SH DESCRIPTION\n").append(escape(join(command.usageMessage().description()))).append('\n');
    List<PositionalParamSpec> params = command.positionalParameters().stream().filter(p -> !p.hidden()).toList();
    if (!params.isEmpty()) {
      page.append(".SH ARGUMENTS\n");
      for (PositionalParamSpec param : params) {
        page.append(".TP\n\\fI").append(escape(param.paramLabel())).append("\\fR\n")
            .append(escape(description(param))).append('\n');
      }
    }
    List<OptionSpec> options = command.options().stream().filter(o -> !o.hidden()).toList();
    if (!options.isEmpty()) {
      page.append(".SH OPTIONS\n");
      for (OptionSpec option : options) {
        page.append(".TP\n").append(optionNames(option)).append('\n').append(escape(description(option))).append('\n');
      }
    }
    List<String> commands = new ArrayList<>();
    command.subcommands().forEach((word, sub) -> {
      if (!sub.getCommandSpec().usageMessage().hidden() && word.equals(sub.getCommandSpec().name())) {
        commands.add(word);
      }
    });
    if (!commands.isEmpty()) {
      page.append(".SH COMMANDS\n");
      for (String word : commands) {
        CommandSpec sub = command.subcommands().get(word).getCommandSpec();
        page.append(".TP\n\\fB").append(escape(word)).append("\\fR\n")
            .append(escape(firstSentence(join(sub.usageMessage().description()))))
            .append(word.equals("help") ? "\n" : " See \\fB" + escape(pageName(sub)) + "\\fR(1).\n");
      }
    }
    if (command.parent() != null) {
      CommandSpec top = command;
      while (top.parent() != null) {
        top = top.parent();
      }
      page.append(".SH GLOBAL OPTIONS\nGiven before or after the command.\n");
      for (OptionSpec option : top.options()) {
        if (!option.hidden() && !option.usageHelp() && !option.versionHelp()) {
          page.append(".TP\n").append(optionNames(option)).append('\n').append(escape(description(option))).append('\n');
        }
      }
    }
    String[] footer = (command.parent() == null ? command : root(command)).usageMessage().footer();
    for (String line : footer) {
      if (line.startsWith("Exit status: ")) {
        page.append(".SH EXIT STATUS\n").append(escape(line.substring("Exit status: ".length()))).append('\n');
      } else if (line.startsWith("Environment: ")) {
        page.append(".SH ENVIRONMENT\n").append(escape(line.substring("Environment: ".length()))).append('\n');
      }
    }
    page.append(".SH SEE ALSO\n");
    List<String> related = new ArrayList<>();
    if (command.parent() != null) {
      related.add("\\fB" + escape(pageName(command.parent())) + "\\fR(1)");
    }
    related.add("\\fBqemu-system-x86_64\\fR(1)");
    page.append(String.join(", ", related)).append('\n');
    return page.toString();
  }

  private static CommandSpec root(CommandSpec command) {
    return command.parent() == null ? command : root(command.parent());
  }

  private static String optionNames(OptionSpec option) {
    List<String> names = new ArrayList<>();
    for (String name : option.names()) {
      names.add("\\fB" + escape(name) + "\\fR");
    }
    String value = option.arity().max() > 0 && !option.paramLabel().isEmpty()
        ? (option.arity().min() == 0 ? "[=\\fI" + escape(option.paramLabel()) + "\\fR]"
            : " \\fI" + escape(option.paramLabel()) + "\\fR") : "";
    return String.join(", ", names) + value;
  }

  /** The description, with picocli's variables filled in ({@code ${DEFAULT-VALUE}}). */
  private static String description(ArgSpec arg) {
    return join(arg.description());
  }

  private static String join(String[] lines) {
    return String.join(" ", lines).replaceAll("%n", " ").strip();
  }

  private static String firstSentence(String text) {
    int end = text.indexOf(". ");
    int semicolon = text.indexOf("; ");
    int cut = end < 0 ? semicolon : semicolon < 0 ? end : Math.min(end, semicolon);
    String sentence = cut < 0 ? text : text.substring(0, cut);
    return sentence.endsWith(".") ? sentence.substring(0, sentence.length() - 1) : sentence;
  }

  /** Text as troff prints it: backslashes and hyphens escaped, no line read as a request. */
  static String escape(String text) {
    String escaped = text.replace("\\", "\\e").replace("-", "\\-");
    StringBuilder lines = new StringBuilder();
    for (String line : escaped.split("\n", -1)) {
      if (lines.length() > 0) {
        lines.append('\n');
      }
      lines.append(line.startsWith(".") || line.startsWith("'") ? "\\&" + line : line);
    }
    return lines.toString();
  }
}
