package dev.ignis.runtime.cli;

import dev.ignis.runtime.vm.VmLifecycle;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code runtime rm}. */
@Command(name = "rm", mixinStandardHelpOptions = true, description = "Remove VMs; prints each name.")
final class RmCommand implements Callable<Integer> {

  @ParentCommand RootCommand root;

  @Option(names = {"-f", "--force"}, description = "Stop running VMs first; remove the record even if the"
      + " network's teardown fails (the plugin keeps what it could not undo, and 'runtime gc' retries it).")
  boolean force;

  @Parameters(paramLabel = "VM", arity = "0..*", description = "VM name or id, or a unique start of either.")
  List<String> vms;

  @picocli.CommandLine.Option(names = {"-a", "--all"}, description = "Remove every VM (running ones need -f).")
  boolean all;

  @Override
  public Integer call() {
    VmLifecycle lifecycle = root.service(VmLifecycle.class);
    return EachNamed.run(root, EachNamed.targets(root, vms, all, vm -> true), vm -> {
      VmLifecycle.Removal removal = lifecycle.remove(vm, force);
      removal.warning().ifPresent(root.err::println);
      return removal.name();
    });
  }
}
