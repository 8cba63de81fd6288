package dev.ignis.runtime.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code runtime exec VM -- COMMAND...}: a command in a VM made with --ssh; its streams and exit status. */
@Command(name = "exec", mixinStandardHelpOptions = true,
    description = "Run a command in a VM made with --ssh, as root, over SSH; its output, input and exit status are"
        + " the command's.")
final class ExecCommand implements Callable<Integer> {

  @ParentCommand RootCommand root;

  @Parameters(index = "0", paramLabel = "VM", description = "VM name or id, or a unique start of either.")
  String vm;

  @Parameters(index = "1..*", arity = "1..*", paramLabel = "COMMAND", description = "The command and its arguments"
      + " (after --).")
  List<String> command = new ArrayList<>();

  @Override
  public Integer call() {
    if (!command.isEmpty() && command.get(0).equals("--")) {
      command = command.subList(1, command.size()); // words after the VM are the command's, "--" or not
    }
    if (command.isEmpty()) {
      throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this), "missing the COMMAND to run");
    }
    SshTarget target = SshTarget.of(root, vm);
    List<String> argv = new ArrayList<>(List.of("ssh", "-T"));
    argv.addAll(target.options());
    argv.add(target.login());
    argv.add("--");
    // ssh joins the words with spaces for the remote shell: each is quoted so that it stays one word.
    command.forEach(word -> argv.add("'" + word.replace("'", "'\\''") + "'"));
    return SshTarget.run(argv, root);
  }
}
