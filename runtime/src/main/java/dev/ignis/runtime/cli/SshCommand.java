package dev.ignis.runtime.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code runtime ssh VM [COMMAND...]}: root's shell on a VM made with --ssh, or one command. */
@Command(name = "ssh", mixinStandardHelpOptions = true,
    description = "Log in to a VM made with --ssh as root; with a COMMAND, run it there instead.")
final class SshCommand implements Callable<Integer> {

  @ParentCommand RootCommand root;

  @Parameters(index = "0", paramLabel = "VM", description = "VM name or id, or a unique start of either.")
  String vm;

  @Parameters(index = "1..*", paramLabel = "COMMAND", description = "A command to run instead of a shell.")
  List<String> command = new ArrayList<>();

  @Override
  public Integer call() {
    if (!command.isEmpty() && command.get(0).equals("--")) {
      command = command.subList(1, command.size()); // words after the VM are the command's, "--" or not
    }
    SshTarget target = SshTarget.of(root, vm);
    List<String> argv = new ArrayList<>(List.of("ssh"));
    argv.addAll(target.options());
    argv.add(target.login());
    if (!command.isEmpty()) {
      argv.add("--");
      argv.addAll(command);
    }
    return SshTarget.run(argv, root);
  }
}
