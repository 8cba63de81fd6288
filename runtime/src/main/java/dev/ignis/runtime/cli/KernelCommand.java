package dev.ignis.runtime.cli;

import dev.ignis.runtime.image.ImageStore;
import dev.ignis.runtime.image.kernel.KernelImporter;
import dev.ignis.runtime.image.kernel.Kernels;
import dev.ignis.runtime.vm.VmStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code runtime kernel import|ls|rm}: the kernels VMs boot ({@code --kernel NAME}). */
@Command(name = "kernel", mixinStandardHelpOptions = true,
    description = "Import, list or remove the kernels VMs boot with --kernel NAME; 'default' is the default image's.",
    subcommands = {KernelCommand.Import.class, KernelCommand.Ls.class, KernelCommand.Rm.class})
final class KernelCommand implements Callable<Integer> {

  @ParentCommand RootCommand root;

  @Override
  public Integer call() {
    throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
        "missing subcommand: import, ls or rm");
  }

  @Command(name = "import", mixinStandardHelpOptions = true,
      description = "Import a kernel: a vmlinux (x86-64 ELF with a PVH entry), a bzImage/vmlinuz (its vmlinux is"
          + " extracted), or a Debian linux-image-*.deb (its kernel and the modules a guest needs). Prints its id.")
  static final class Import implements Callable<Integer> {
    @ParentCommand KernelCommand kernel;

    @Parameters(paramLabel = "FILE", description = "vmlinux, bzImage/vmlinuz or linux-image-*.deb.")
    String file;

    @Option(names = "--name", paramLabel = "NAME", description = "Name for the kernel (default: its release, such"
        + " as 6.1.0-41-amd64).")
    String name;

    @Override
    public Integer call() {
      KernelImporter.Result result;
      try (Progress progress = kernel.root.progress("importing " + file)) {
        result = kernel.root.service(KernelImporter.class).importKernel(kernel.root.session.resolve(file),
            Optional.ofNullable(name));
      }
      Kernels.Kernel imported = result.kernel();
      kernel.root.out.println(imported.id());
      if (!result.imported()) {
        kernel.root.err.println("note: kernel " + imported.shortId() + " was imported already; named "
            + String.join(", ", imported.names()));
      } else if (imported.names().isEmpty()) {
        kernel.root.err.println("note: the kernel names no release; give it a name with --name, or use its id");
      }
      return 0;
    }
  }

  @Command(name = "ls", mixinStandardHelpOptions = true, description = "List the kernels, the default image's first.")
  static final class Ls implements Callable<Integer> {
    @ParentCommand KernelCommand kernel;
    @Mixin OutputOption output;

    @Override
    public Integer call() {
      List<Kernels.Kernel> kernels = kernel.root.service(Kernels.class).list();
      ImageStore images = kernel.root.service(ImageStore.class);
      List<Map<String, Object>> views = new ArrayList<>();
      if (images.hasDefaultImage()) {
        views.add(defaultView(images));
      }
      kernels.forEach(k -> views.add(view(k)));
      if (!output.isTable()) {
        output.print(kernel.root.out, views);
        return 0;
      }
      Table table = new Table("NAME", "ID", "RELEASE", "SIZE", "MODULES", "IMPORTED");
      if (images.hasDefaultImage()) {
        table.row(Kernels.DEFAULT, "-", images.defaultKernelRelease(), ImageCommand.size(defaultSize(images)), "0",
            "(built)");
      }
      Instant now = Instant.now();
      for (Kernels.Kernel found : kernels) {
        for (String name : found.names().isEmpty() ? List.of("<none>") : found.names()) {
          table.row(name, found.shortId(), found.release().isEmpty() ? "-" : found.release(),
              ImageCommand.size(found.sizeBytes()), String.valueOf(found.moduleNames().size()),
              VmView.age(found.importedAt(), now) + " ago");
        }
      }
      table.print(kernel.root.out);
      return 0;
    }
  }

  @Command(name = "rm", mixinStandardHelpOptions = true,
      description = "Remove kernel names; a kernel goes with its last name, or when given by id. Refused while a VM"
          + " uses it.")
  static final class Rm implements Callable<Integer> {
    @ParentCommand KernelCommand kernel;

    @Parameters(paramLabel = "KERNEL", arity = "1..*", description = "Kernel name, id or unique id prefix.")
    List<String> references;

    @Override
    public Integer call() {
      Kernels kernels = kernel.root.service(Kernels.class);
      VmStore vms = kernel.root.service(VmStore.class);
      return EachNamed.run(kernel.root, references, reference -> String.join("\n", kernels.remove(reference,
          found -> vms.list().vms().stream().filter(vm -> vm.spec().boot().kernel().equals(found.id()))
              .map(vm -> vm.name()).toList())));
    }
  }

  private static Map<String, Object> defaultView(ImageStore images) {
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("id", null);
    view.put("names", List.of(Kernels.DEFAULT));
    view.put("release", images.defaultKernelRelease());
    view.put("source", images.defaultImageDir().toString());
    view.put("format", "vmlinux");
    view.put("importedAt", null);
    view.put("sizeBytes", defaultSize(images));
    view.put("vmlinux", images.defaultImageDir().resolve("vmlinux").toString());
    view.put("modules", List.of());
    return view;
  }

  private static long defaultSize(ImageStore images) {
    try {
      return java.nio.file.Files.size(images.defaultImageDir().resolve("vmlinux"));
    } catch (java.io.IOException e) {
      return 0;
    }
  }

  private static Map<String, Object> view(Kernels.Kernel kernel) {
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("id", kernel.id());
    view.put("names", kernel.names());
    view.put("release", kernel.release().isEmpty() ? null : kernel.release());
    view.put("source", kernel.source());
    view.put("format", kernel.format());
    view.put("importedAt", kernel.importedAt().toString());
    view.put("sizeBytes", kernel.sizeBytes());
    view.put("vmlinux", kernel.vmlinux().toString());
    view.put("modules", kernel.moduleNames());
    return view;
  }
}
