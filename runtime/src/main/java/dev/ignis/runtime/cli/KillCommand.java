package dev.ignis.runtime.cli;

import dev.ignis.runtime.vm.VmLifecycle;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code runtime kill}. */
@Command(name = "kill", mixinStandardHelpOptions = true,
    description = "Kill running VMs at once (no ACPI power-off), then detach their network; prints each name.")
final class KillCommand implements Callable<Integer> {

  @ParentCommand RootCommand root;

  @Parameters(paramLabel = "VM", arity = "1..*", description = "VM name, id or unique id prefix.")
  List<String> vms;

  @Override
  public Integer call() {
    VmLifecycle lifecycle = root.service(VmLifecycle.class);
    return EachNamed.run(root, vms, name -> lifecycle.stop(name, Duration.ZERO).vm().name());
  }
}
