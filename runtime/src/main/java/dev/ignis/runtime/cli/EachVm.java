package dev.ignis.runtime.cli;

import dev.ignis.spi.IgnisException;
import java.util.List;
import java.util.function.Function;

/**
 * Runs a command on each VM named: a failure is reported in one line naming the VM and the
 * command goes on with the next; the exit status is the first failure's, else 0.
 */
final class EachVm {

  private EachVm() {}

  /** {@code action} returns the line to print for a VM it handled. */
  static int run(RootCommand root, List<String> vms, Function<String, String> action) {
    int status = 0;
    for (String vm : vms) {
      try {
        root.out.println(action.apply(vm));
      } catch (IgnisException e) {
        root.err.println("error: " + (vms.size() > 1 && !e.getMessage().contains("'" + vm + "'") ? vm + ": " : "")
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
