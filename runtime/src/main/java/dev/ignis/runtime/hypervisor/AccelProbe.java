package dev.ignis.runtime.hypervisor;

import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses KVM or TCG. {@code /dev/kvm} existing is not enough (these machines have a PVM
 * /dev/kvm on which QEMU aborts with "emulation failure"), so {@code auto} boots the image once
 * with KVM and uses it only if the guest becomes ready. The answer is kept per host kernel.
 */
public final class AccelProbe {

  private static final Logger log = LoggerFactory.getLogger(AccelProbe.class);
  private static final Path KVM = Path.of("/dev/kvm");

  private final Hypervisor hypervisor;
  private final Path stateFile;

  public AccelProbe(Hypervisor hypervisor, Path stateFile) {
    this.hypervisor = hypervisor;
    this.stateFile = stateFile;
  }

  /** {@code kvm} or {@code tcg} for the wanted {@code auto}, {@code kvm} or {@code tcg}. */
  public String resolve(String wanted, Path kernel, Path initrd, Path workDir) {
    if (wanted.equals("tcg")) {
      return "tcg";
    }
    if (wanted.equals("kvm")) {
      if (!Files.isReadable(KVM)) {
        throw new IgnisException(ErrorCode.NOT_SUPPORTED, "--accel kvm: " + KVM + " is not available here; use --accel tcg");
      }
      return "kvm";
    }
    if (!Files.isReadable(KVM)) {
      return "tcg";
    }
    String host = hostKernel();
    try {
      String cached = Files.readString(stateFile).strip();
      if (cached.endsWith(" " + host)) {
        return cached.substring(0, cached.indexOf(' '));
      }
    } catch (IOException e) {
      // not probed yet
    }
    String accel = kvmWorks(kernel, initrd, workDir) ? "kvm" : "tcg";
    try {
      Files.createDirectories(stateFile.getParent());
      Files.writeString(stateFile, accel + " " + host + "\n");
    } catch (IOException e) {
      log.warn("cannot keep the accelerator probe in {}: {}", stateFile, e.getMessage());
    }
    return accel;
  }

  /** What {@link #resolve} picks for {@code auto} on this host, in words, without probing. */
  public String describe() {
    if (!Files.isReadable(KVM)) {
      return "TCG (software emulation): no readable " + KVM;
    }
    try {
      String cached = Files.readString(stateFile).strip();
      if (cached.endsWith(" " + hostKernel())) {
        return cached.startsWith("kvm") ? "KVM (a probe boot worked)"
            : "TCG (software emulation): " + KVM + " is there but a probe boot with it failed";
      }
    } catch (IOException e) {
      // not probed yet
    }
    return KVM + " is there; the first VM start probes whether it works, else uses TCG";
  }

  private boolean kvmWorks(Path kernel, Path initrd, Path workDir) {
    try {
      Files.createDirectories(workDir);
      GuestProcess probe = hypervisor.start(new GuestSpec("kvm-probe", workDir, null, java.util.List.of(), kernel, initrd,
          "console=ttyS0 reboot=t panic=-1 quiet ignis.name=kvm-probe", 1, 128, "kvm"));
      try {
        hypervisor.awaitReady(probe, Duration.ofSeconds(8));
        return true;
      } finally {
        hypervisor.kill(probe);
      }
    } catch (IgnisException | IOException e) {
      log.info("KVM does not work here, using TCG: {}", e.getMessage());
      return false;
    }
  }

  private static String hostKernel() {
    try {
      return Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip();
    } catch (IOException e) {
      return "unknown";
    }
  }
}
