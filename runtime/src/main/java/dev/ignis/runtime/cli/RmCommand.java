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

  @Option(names = {"-f", "--force"}, description = "Stop running VMs first.")
  boolean force;

  @Parameters(paramLabel = "VM", arity = "1..*", description = "VM name, id or unique id prefix.")
  List<String> vms;

  @Override
  public Integer call() {
    VmLifecycle lifecycle = root.service(VmLifecycle.class);
    for (String vm : vms) {
      root.out.println(lifecycle.remove(vm, force).name());
    }
    return 0;
  }
}
