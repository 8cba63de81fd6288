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
    description = "Kill running VMs at once (no ACPI power-off), then detach their network; prints each name."
        + " Killing a stopped VM is not an error (a note says so).")
final class KillCommand implements Callable<Integer> {

  @ParentCommand RootCommand root;

  @Parameters(paramLabel = "VM", arity = "1..*", description = "VM name or id, or a unique start of either.")
  List<String> vms;

  @Override
  public Integer call() {
    VmLifecycle lifecycle = root.service(VmLifecycle.class);
    return EachNamed.run(root, vms, name -> {
      VmLifecycle.StopResult result = lifecycle.stop(name, Duration.ZERO);
      if (!result.wasRunning()) {
        root.err.println("note: VM '" + result.vm().name() + "' was not running");
      }
      return result.vm().name();
    });
  }
}
