package dev.ignis.runtime.vm;

import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import java.util.Set;

/**
 * How a VM boots: kernel and initrd (empty for the default image), extra kernel arguments,
 * and the accelerator.
 *
 * @param kernel an uncompressed PVH kernel (vmlinux), or empty for the default image's
 * @param initrd an initramfs, or empty for the default image's
 * @param cmdline kernel arguments added to Ignis' own (console, network, name)
 * @param accel {@code auto} (KVM where a probe shows it works, else TCG), {@code kvm} or {@code tcg}
 * @param image the id of the imported image ({@code sha256:...}) the VM's root disk is made from,
 *     or empty for none (the guest runs from its initramfs)
 */
public record BootSpec(String kernel, String initrd, String cmdline, String accel, String image) {

  /** The accelerators {@code --accel} takes. */
  public static final Set<String> ACCELERATORS = Set.of("auto", "kvm", "tcg");

  /** Kernel arguments Ignis sets itself, which {@code --cmdline} may not set again. */
  public static final Set<String> RESERVED_ARGUMENTS = Set.of("ip", "console", "ignis.name", "ignis.nics", "ignis.ip6",
      "ignis.dns");

  /** The default image with automatic accelerator choice. */
  public static final BootSpec DEFAULT = new BootSpec("", "", "", "auto");

  /** Booting without an image. */
  public BootSpec(String kernel, String initrd, String cmdline, String accel) {
    this(kernel, initrd, cmdline, accel, "");
  }

  /** Null strings become empty, a missing accelerator {@code auto}; checks the accelerator. */
  public BootSpec {
    image = image == null ? "" : image;
    if (!image.isEmpty() && !image.matches("sha256:[0-9a-f]{64}")) {
      throw new IgnisException(ErrorCode.INVALID_ARGUMENT, "image id '" + image + "' is not a sha256 digest");
    }
    kernel = kernel == null ? "" : kernel;
    initrd = initrd == null ? "" : initrd;
    cmdline = cmdline == null ? "" : cmdline;
    accel = accel == null || accel.isBlank() ? "auto" : accel;
    if (!ACCELERATORS.contains(accel)) {
      throw new IgnisException(ErrorCode.INVALID_ARGUMENT, "--accel '" + accel + "' is not one of auto, kvm, tcg");
    }
    if (!kernel.isEmpty() && initrd.isEmpty() || kernel.isEmpty() && !initrd.isEmpty()) {
      throw new IgnisException(ErrorCode.INVALID_ARGUMENT,
          "--kernel and --initrd go together; give both, or neither for the default image");
    }
  }

  /**
   * One line of arguments that leaves Ignis' own alone: no control characters (a newline would
   * end the command line QEMU passes on), none of {@link #RESERVED_ARGUMENTS}, and not the
   * readiness marker, which the kernel could echo to the console before the guest is up.
   * Checked where the user gives them (not when a stored record is read back).
   */
  public static void checkCmdline(String cmdline) {
    if (cmdline == null) {
      return;
    }
    if (cmdline.chars().anyMatch(c -> c < 0x20 && c != ' ' || c == 0x7f)) {
      throw new IgnisException(ErrorCode.INVALID_ARGUMENT, "--cmdline holds a newline or another control character;"
          + " give the kernel arguments as one line");
    }
    for (String word : cmdline.strip().split("\\s+")) {
      String key = word.contains("=") ? word.substring(0, word.indexOf('=')) : word;
      if (RESERVED_ARGUMENTS.contains(key)) {
        throw new IgnisException(ErrorCode.INVALID_ARGUMENT, "--cmdline may not set '" + key + "': Ignis sets "
            + String.join(", ", RESERVED_ARGUMENTS.stream().sorted().toList()) + " itself (the"
            + " network is the plugin's, --name names the VM, --dns its nameservers)");
      }
    }
    if (cmdline.contains(dev.ignis.runtime.hypervisor.QemuDriver.READY_MARKER)) {
      throw new IgnisException(ErrorCode.INVALID_ARGUMENT, "--cmdline may not contain "
          + dev.ignis.runtime.hypervisor.QemuDriver.READY_MARKER + ", the guest's readiness marker");
    }
  }
}
