package dev.ignis.runtime.vm;

import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import java.util.Set;

/**
 * How a VM boots: kernel and initrd (empty for the default image's), extra kernel arguments,
 * and the accelerator.
 *
 * @param kernel an imported kernel's id ({@code sha256:...}), the path of an uncompressed PVH
 *     kernel (vmlinux), or empty for the default image's
 * @param initrd the path of an initramfs, or empty for the default image's (Ignis' own init)
 * @param cmdline kernel arguments added to Ignis' own (console, network, name)
 * @param accel {@code auto} (KVM where a probe shows it works, else TCG), {@code kvm} or {@code tcg}
 * @param image the id of the imported image ({@code sha256:...}) the VM's root disk is made from,
 *     or empty for none (the guest runs from its initramfs)
 * @param diskSizeMib the root disk's size in MiB, grown from the image's; 0 for the image's own
 * @param copyFiles host files and directories copied into the guest, each {@code HOST:GUEST}
 *     with both paths absolute ({@code --copy-files}); copied at create ({@link CopyFiles})
 */
public record BootSpec(String kernel, String initrd, String cmdline, String accel, String image, long diskSizeMib,
    java.util.List<String> copyFiles) {

  /** The largest root disk: 16 TiB, ext4's limit with 4 KiB blocks and no 64-bit feature. */
  public static final long MAX_DISK_MIB = 16L << 20;

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

  /** Booting an image on a disk of its own size. */
  public BootSpec(String kernel, String initrd, String cmdline, String accel, String image) {
    this(kernel, initrd, cmdline, accel, image, 0, java.util.List.of());
  }

  /** Null strings become empty, a missing accelerator {@code auto}; checks the accelerator and the disk size. */
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
    copyFiles = copyFiles == null ? java.util.List.of() : java.util.List.copyOf(copyFiles);
    copyFiles.forEach(CopyFiles::checkMapping);
    if (!copyFiles.isEmpty() && !initrd.isEmpty()) {
      throw new IgnisException(ErrorCode.INVALID_ARGUMENT, "--copy-files needs Ignis' initramfs, which copies the"
          + " files in; leave out --initrd");
    }
    if (diskSizeMib != 0 && image.isEmpty()) {
      throw new IgnisException(ErrorCode.INVALID_ARGUMENT, "--size sizes the disk of a VM of an IMAGE; this VM has no"
          + " disk (it runs from its initramfs)");
    }
    if (diskSizeMib < 0 || diskSizeMib > MAX_DISK_MIB) {
      throw new IgnisException(ErrorCode.INVALID_ARGUMENT, "--size " + diskSizeMib + " MiB is out of range (1 MiB to"
          + " 16 TiB)");
    }
    if (!image.isEmpty() && !initrd.isEmpty()) {
      throw new IgnisException(ErrorCode.INVALID_ARGUMENT, "a VM of an IMAGE boots Ignis' initramfs, which mounts"
          + " its disk and runs its command; leave out --initrd");
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
