package dev.ignis.runtime.cli;

import dev.ignis.spi.IgnisException;
import java.util.List;
import java.util.function.Function;

/**
 * Runs a command on each VM (or image, or kernel) named: a failure is reported in one line
 * naming it and the command goes on with the next; the exit status is the first failure's, else 0.
 */
final class EachNamed {

  private EachNamed() {}

  /**
   * The VMs a command acts on: those named, or with {@code --all} the ids of every VM {@code
   * wanted} picks (none is fine); names and {@code --all} together, or neither, are refused.
   */
  static List<String> targets(RootCommand root, List<String> named, boolean all,
      java.util.function.Predicate<dev.ignis.runtime.vm.Vm> wanted) {
    if (all == (named != null && !named.isEmpty())) {
      throw new IgnisException(dev.ignis.spi.ErrorCode.INVALID_ARGUMENT,
          all ? "give VMs or --all, not both" : "give at least one VM, or --all");
    }
    if (!all) {
      return named;
    }
    dev.ignis.runtime.vm.VmLifecycle lifecycle = root.service(dev.ignis.runtime.vm.VmLifecycle.class);
    return root.service(dev.ignis.runtime.vm.VmStore.class).list().vms().stream().map(lifecycle::reconcile)
        .filter(wanted).map(dev.ignis.runtime.vm.Vm::id).toList();
  }

  /** {@code action} returns the line to print for a VM it handled. */
  static int run(RootCommand root, List<String> vms, Function<String, String> action) {
    return collect(root, vms, vm -> {
      root.out.println(action.apply(vm));
      return vm;
    }, new java.util.ArrayList<>());
  }

  /**
   * Looks up each name ({@code inspect a b c}): what is found goes into {@code found}, in order;
   * each failure is reported in one line. Returns the first failure's exit status, else 0.
   */
  static <T> int collect(RootCommand root, List<String> names, Function<String, T> lookup, List<T> found) {
    int status = 0;
    for (String name : names) {
      try {
        found.add(lookup.apply(name));
      } catch (IgnisException e) {
        root.err.println("error: " + (names.size() > 1 && !e.getMessage().contains("'" + name + "'") ? name + ": " : "")
            + e.getMessage());
        if (root.verbose()) {
          if (!e.details().isBlank()) {
            root.err.println(e.details().strip());
          }
          e.printStackTrace(root.err);
        }
        status = status == 0 ? Cli.exitStatus(e.code()) : status;
      }
    }
    return status;
  }
}
