package dev.ignis.runtime.cli;

import dev.ignis.runtime.vm.Vm;
import dev.ignis.runtime.vm.VmLifecycle;
import dev.ignis.runtime.vm.VmStatus;
import dev.ignis.runtime.vm.VmStore;
import dev.ignis.spi.IgnisException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code runtime check}. */
@Command(name = "check", mixinStandardHelpOptions = true,
    description = {"Check that running VMs' networks are as their plugin set them up (for cni: CNI's CHECK of"
        + " every plugin of the network, from spec 0.4.0, unless the network sets disableCheck).",
        "Prints 'NAME: ok' or what is wrong for each VM; exits non-zero if any check failed."})
final class CheckCommand implements Callable<Integer> {

  @ParentCommand RootCommand root;

  @Parameters(paramLabel = "VM", arity = "0..*", description = "VM name or id, or a unique start of either"
      + " (default: every running VM).")
  List<String> vms = new ArrayList<>();

  @Override
  public Integer call() {
    VmLifecycle lifecycle = root.service(VmLifecycle.class);
    List<String> names = vms;
    if (names.isEmpty()) {
      names = root.service(VmStore.class).list().vms().stream().map(lifecycle::reconcile)
          .filter(vm -> vm.status() == VmStatus.RUNNING).map(Vm::name).toList();
    }
    int status = 0;
    for (String name : names) {
      try {
        root.out.println(lifecycle.check(name).name() + ": ok");
      } catch (IgnisException e) {
        root.err.println("error: " + name + ": " + e.getMessage());
        status = status == 0 ? Cli.exitStatus(e.code()) : status;
      }
    }
    return status;
  }

}
