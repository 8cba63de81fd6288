package dev.ignis.runtime.cli;

import dev.ignis.runtime.vm.VmLifecycle;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code runtime stop}. */
@Command(name = "stop", mixinStandardHelpOptions = true,
    description = "Stop running VMs: ACPI power-off (killed after --time), then detach their network and remove"
        + " their sandbox; prints each name. Stopping a stopped VM is not an error.")
final class StopCommand implements Callable<Integer> {

  @ParentCommand RootCommand root;

  @picocli.CommandLine.Option(names = {"-t", "--time"}, paramLabel = "SECONDS", defaultValue = "10",
      description = "Seconds to wait for the guest to power off before killing it (default: ${DEFAULT-VALUE}).")
  int seconds;

  @Parameters(paramLabel = "VM", arity = "0..*", description = "VM name or id, or a unique start of either.")
  List<String> vms;

  @picocli.CommandLine.Option(names = {"-a", "--all"}, description = "Stop every running VM.")
  boolean all;

  @Override
  public Integer call() {
    VmLifecycle lifecycle = root.service(VmLifecycle.class);
    List<String> targets = EachNamed.targets(root, vms, all, vm -> vm.status() == dev.ignis.runtime.vm.VmStatus.RUNNING);
    return EachNamed.run(root, targets, name -> {
      VmLifecycle.StopResult result;
      try (Progress progress = root.progress("stopping VM " + name)) {
        result = lifecycle.stop(name, java.time.Duration.ofSeconds(Math.max(0, seconds)));
      }
      if (!result.wasRunning()) {
        root.err.println("note: VM '" + result.vm().name() + "' was not running");
      }
      return result.vm().name();
    });
  }
}
