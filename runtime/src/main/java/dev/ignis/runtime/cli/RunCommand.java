package dev.ignis.runtime.cli;

import dev.ignis.runtime.vm.Vm;
import dev.ignis.runtime.vm.VmLifecycle;
import dev.ignis.spi.IgnisException;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

/** {@code runtime run}: create and start. */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = {"Create a VM and start it; prints its id once the guest is up with its network.",
        "The VM boots in its own network namespace (ignis-<id>) with the network its plugin attached."})
final class RunCommand implements Callable<Integer> {

  @ParentCommand RootCommand root;
  @Mixin VmOptions options;

  @picocli.CommandLine.Option(names = {"-i", "--interactive"}, description = "Attach the terminal to the VM's serial"
      + " console once it is up, as 'runtime attach' does (Ctrl-P Ctrl-Q detaches), instead of printing its id.")
  boolean interactive;

  /** Docker's {@code -t}, as in {@code run -it}: the console is a terminal already. */
  @picocli.CommandLine.Option(names = {"-t", "--tty"}, hidden = true)
  boolean tty;

  @Override
  public Integer call() {
    Vm vm = CreateCommand.create(root, options);
    VmLifecycle lifecycle = root.service(VmLifecycle.class);
    try (Progress progress = root.progress("starting VM " + vm.name())) {
      lifecycle.start(vm.id(), Optional.empty());
    } catch (IgnisException e) {
      // A VM that never ran is not worth keeping: nothing half-made stays behind, also when
      // the run was cancelled (its thread interrupted; cleared for the removal, set again after).
      boolean interrupted = Thread.interrupted();
      try {
        lifecycle.remove(vm.id(), true).warning().ifPresent(root.err::println);
      } catch (IgnisException undo) {
        e.addSuppressed(undo);
      } finally {
        if (interrupted) {
          Thread.currentThread().interrupt();
        }
      }
      throw e;
    }
    if (interactive) {
      return AttachCommand.attach(root, root.service(dev.ignis.runtime.vm.VmStore.class).load(vm.id()),
          SerialConsole.detachKeys(SerialConsole.DEFAULT_DETACH_KEYS));
    }
    root.out.println(vm.id());
    return 0;
  }
}
