package dev.ignis.runtime.cli;

import dev.ignis.runtime.vm.VmLifecycle;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code runtime start}. */
@Command(name = "start", mixinStandardHelpOptions = true,
    description = "Start created, stopped or exited VMs; prints each name once its guest is up. Starting a running"
        + " VM is not an error (a note says so).")
final class StartCommand implements Callable<Integer> {

  @ParentCommand RootCommand root;

  @Option(names = "--network-plugin", paramLabel = "ID",
      description = "Use this network plugin from now on (default: the one the VM was created with).")
  String networkPlugin;

  @Parameters(paramLabel = "VM", arity = "1..*", description = "VM name or id, or a unique start of either.")
  List<String> vms;

  @Override
  public Integer call() {
    VmLifecycle lifecycle = root.service(VmLifecycle.class);
    dev.ignis.runtime.vm.VmStore store = root.service(dev.ignis.runtime.vm.VmStore.class);
    return EachNamed.run(root, vms, vm -> {
      // The state asked for already: one note, as stop of a stopped VM (another plugin still needs a stop first).
      dev.ignis.runtime.vm.Vm found = lifecycle.reconcile(store.find(vm));
      if (found.status() == dev.ignis.runtime.vm.VmStatus.RUNNING && networkPlugin == null) {
        root.err.println("note: VM '" + found.name() + "' is already running");
        return found.name();
      }
      try (Progress progress = root.progress("starting VM " + vm)) {
        return lifecycle.start(vm, root.pluginChoice(networkPlugin)).name();
      }
    });
  }
}
