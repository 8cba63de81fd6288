package dev.ignis.runtime.cli;

import dev.ignis.runtime.config.Settings;
import dev.ignis.runtime.vm.Vm;
import dev.ignis.runtime.vm.VmLifecycle;
import java.util.HexFormat;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

/** {@code runtime create}. */
@Command(name = "create", mixinStandardHelpOptions = true,
    description = "Create a VM without starting it; prints its id.")
final class CreateCommand implements Callable<Integer> {

  @ParentCommand RootCommand root;
  @Mixin VmOptions options;

  @Override
  public Integer call() {
    root.out.println(create(root, options).id());
    return 0;
  }

  static Vm create(RootCommand root, VmOptions options) {
    Settings settings = root.settings();
    String fallbackName = "vm-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(0, 6);
    return root.service(VmLifecycle.class).create(options.toSpec(root.pluginChoice(options.networkPlugin),
        settings.defaultPlugin(), fallbackName, root.session,
        image -> root.service(dev.ignis.runtime.image.oci.OciImages.class).find(image).id(),
        kernel -> root.service(dev.ignis.runtime.image.kernel.Kernels.class).findIfAny(kernel)
            .map(dev.ignis.runtime.image.kernel.Kernels.Kernel::id)));
  }
}
