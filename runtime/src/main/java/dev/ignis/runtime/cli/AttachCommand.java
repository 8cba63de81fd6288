package dev.ignis.runtime.cli;

import dev.ignis.runtime.hypervisor.QemuDriver;
import dev.ignis.runtime.vm.Vm;
import dev.ignis.runtime.vm.VmLifecycle;
import dev.ignis.runtime.vm.VmStatus;
import dev.ignis.runtime.vm.VmStore;
import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code runtime attach VM}: the terminal on the VM's serial console. */
@Command(name = "attach", mixinStandardHelpOptions = true,
    description = {"Attach the terminal to a running VM's serial console: what the guest prints shows, what you"
        + " type goes to the guest (Ctrl-C included). Ctrl-P Ctrl-Q detaches; the VM keeps running.",
        "The default image has a shell on its console; an image's command gets the console as its input."})
final class AttachCommand implements Callable<Integer> {

  /** The default image's init revision with a shell on the console. */
  static final int CONSOLE_SHELL_REVISION = 11;

  @ParentCommand RootCommand root;

  @Option(names = "--detach-keys", paramLabel = "KEYS", defaultValue = SerialConsole.DEFAULT_DETACH_KEYS,
      description = "The keys that detach, as Docker's (default: ${DEFAULT-VALUE}).")
  String detachKeys;

  @Parameters(paramLabel = "VM", description = "VM name or id, or a unique start of either.")
  String name;

  @Override
  public Integer call() {
    byte[] keys = SerialConsole.detachKeys(detachKeys);
    return attach(root, root.service(VmStore.class).find(name), keys);
  }

  /** Attaches to the VM (also {@code run -i}); 0 when detached or when the VM's console closed. */
  static int attach(RootCommand root, Vm found, byte[] keys) {
    if (root.session.shared()) {
      throw new IgnisException(ErrorCode.INVALID_ARGUMENT, "attach needs the caller's terminal; run it through"
          + " bin/runtime, not the API");
    }
    Vm vm = root.service(VmLifecycle.class).reconcile(found);
    if (vm.status() != VmStatus.RUNNING) {
      throw new IgnisException(ErrorCode.INVALID_STATE, "VM '" + vm.name() + "' is " + vm.status().label()
          + ", not running; 'runtime start " + vm.name() + "' first");
    }
    VmStore store = root.service(VmStore.class);
    dev.ignis.runtime.image.ImageStore images = root.service(dev.ignis.runtime.image.ImageStore.class);
    if (vm.spec().boot().image().isEmpty() && vm.spec().boot().initrd().isEmpty() && images.hasDefaultImage()
        && images.defaultImageRevision() < CONSOLE_SHELL_REVISION) {
      root.err.println("note: the default image in " + images.defaultImageDir() + " predates its console shell: you"
          + " see the console, with no prompt; remove that directory and it is built again at the next run");
    }
    SerialConsole.End end = SerialConsole.join(store.vmDir(vm.id()).resolve(QemuDriver.CONSOLE_SOCKET), keys, root.err,
        vm.name());
    switch (end) {
      case DETACHED -> root.err.println("detached from VM '" + vm.name() + "'; it keeps running");
      case CLOSED -> root.err.println("the console of VM '" + vm.name() + "' closed; the VM is "
          + root.service(VmLifecycle.class).reconcile(store.load(vm.id())).status().label());
      case INPUT_ENDED -> { } // a script's input ran out: nothing to say
    }
    return 0;
  }
}
