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
 */
public record BootSpec(String kernel, String initrd, String cmdline, String accel) {

  /** The accelerators {@code --accel} takes. */
  public static final Set<String> ACCELERATORS = Set.of("auto", "kvm", "tcg");

  /** The default image with automatic accelerator choice. */
  public static final BootSpec DEFAULT = new BootSpec("", "", "", "auto");

  /** Null strings become empty, a missing accelerator {@code auto}; checks the accelerator. */
  public BootSpec {
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
}
