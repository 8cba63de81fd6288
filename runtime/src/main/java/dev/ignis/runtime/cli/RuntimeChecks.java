package dev.ignis.runtime.cli;

import dev.ignis.runtime.hypervisor.AccelProbe;
import dev.ignis.runtime.image.ImageStore;
import dev.ignis.spi.Command;
import dev.ignis.spi.CommandRunner;
import dev.ignis.spi.Finding;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code bootstrap} checks of the runtime itself before the plugin's host checks: QEMU and
 * its version, the accelerator VMs get, the default image, and the state dir. Only what makes
 * VMs impossible is a failure; the rest says what will happen.
 */
final class RuntimeChecks {

  private RuntimeChecks() {}

  static List<Finding> of(RootCommand root) {
    List<Finding> findings = new ArrayList<>();
    CommandRunner commands = root.service(CommandRunner.class);
    var qemu = commands.run(Command.of("qemu-system-x86_64", "--version"));
    findings.add(qemu.succeeded()
        ? new Finding("qemu", true, qemu.stdout().lines().findFirst().orElse("").strip())
        : new Finding("qemu", false, "qemu-system-x86_64 is not installed; apt-get install qemu-system-x86"));
    findings.add(new Finding("accelerator", true, root.service(AccelProbe.class).describe()));
    ImageStore images = root.service(ImageStore.class);
    findings.add(new Finding("default image", true, images.hasDefaultImage()
        ? "built in " + images.defaultImageDir() + ": kernel " + images.defaultKernelRelease() + ", init revision "
            + images.defaultImageRevision()
        : "not built yet; the first VM start builds it into " + images.defaultImageDir()
            + " (the lean kernel's first build takes about 6 minutes)"));
    Path state = root.settings().stateDir();
    if (Files.notExists(state)) {
      findings.add(new Finding("state dir", true, state + " does not exist yet; the first create makes it"));
    } else if (!Files.isWritable(state)) {
      findings.add(new Finding("state dir", false, state + " is not writable: run as root"));
    } else {
      findings.add(new Finding("state dir", true, state.toString()));
    }
    return findings;
  }
}
