package dev.ignis.runtime.cli;

import dev.ignis.runtime.vm.VmGarbageCollector;
import dev.ignis.spi.ErrorCode;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/** {@code runtime gc}. */
@Command(name = "gc", mixinStandardHelpOptions = true,
    description = {"Reclaim what crashes left: finish interrupted starts and stops, remove sandboxes of VMs"
        + " that no longer exist, let every plugin reclaim leases, rules and containers it holds for them, and"
        + " remove what interrupted image imports left.",
        "Prints one line per thing reclaimed; safe to run at any time."})
final class GcCommand implements Callable<Integer> {

  @ParentCommand RootCommand root;

  @Override
  public Integer call() {
    VmGarbageCollector.Report report = root.service(VmGarbageCollector.class).collect();
    report.reclaimed().forEach(root.out::println);
    report.problems().forEach(problem -> root.err.println("error: " + problem));
    boolean imagesClean = true;
    try {
      root.service(dev.ignis.runtime.image.oci.OciImages.class).removeLeftovers().forEach(root.out::println);
      root.service(dev.ignis.runtime.image.kernel.Kernels.class).removeLeftovers().forEach(root.out::println);
    } catch (dev.ignis.spi.IgnisException e) {
      root.err.println("error: " + e.getMessage());
      imagesClean = false;
    }
    return report.problems().isEmpty() && imagesClean ? 0 : Cli.exitStatus(ErrorCode.IO_FAILURE);
  }
}
