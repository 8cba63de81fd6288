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
    description = "Start created, stopped or exited VMs; prints each name once its guest is up.")
final class StartCommand implements Callable<Integer> {

  @ParentCommand RootCommand root;

  @Option(names = "--network-plugin", paramLabel = "ID",
      description = "Use this network plugin from now on (default: the one the VM was created with).")
  String networkPlugin;

  @Parameters(paramLabel = "VM", arity = "1..*", description = "VM name, id or unique id prefix.")
  List<String> vms;

  @Override
  public Integer call() {
    VmLifecycle lifecycle = root.service(VmLifecycle.class);
    return EachNamed.run(root, vms, vm -> {
      try (Progress progress = root.progress("starting VM " + vm)) {
        return lifecycle.start(vm, root.pluginChoice(networkPlugin)).name();
      }
    });
  }
}
