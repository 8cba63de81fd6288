package dev.ignis.runtime.cli;

import dev.ignis.runtime.vm.Vm;
import dev.ignis.runtime.vm.VmStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code runtime inspect}. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
    description = "Show the full records of VMs, with their network attachment, as an array.")
final class InspectCommand implements Callable<Integer> {

  enum Format { JSON, YAML }

  @ParentCommand RootCommand root;

  @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "json",
      description = "Output format: json or yaml (default: ${DEFAULT-VALUE}).")
  Format format;

  @Parameters(paramLabel = "VM", arity = "1..*", description = "VM name or id, or a unique start of either.")
  List<String> names;

  @Override
  public Integer call() {
    VmStore store = root.service(VmStore.class);
    List<Vm> vms = new ArrayList<>();
    int status = EachNamed.collect(root, names, store::find, vms); // each missing one named, the others shown
    OutputOption output = new OutputOption();
    output.format = format == Format.YAML ? OutputOption.Format.YAML : OutputOption.Format.JSON;
    output.print(root.out, vms); // an array for one VM too, as Docker's
    return status;
  }
}
