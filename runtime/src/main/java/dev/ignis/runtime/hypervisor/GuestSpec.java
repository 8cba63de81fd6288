package dev.ignis.runtime.hypervisor;

import java.nio.file.Path;

/**
 * Everything a hypervisor needs to start one guest.
 *
 * @param name the VM name, for the guest's host name
 * @param vmDir the VM's directory: console log, control socket and pid file go here
 * @param netnsPath the sandbox netns the hypervisor runs in
 * @param nics the guest's network cards, in order ({@code eth0}, {@code eth1}, ... inside it); empty for none
 * @param kernel the kernel to boot
 * @param initrd the initramfs
 * @param cmdline the whole kernel command line
 * @param cpus virtual CPUs
 * @param memoryMib memory in MiB
 * @param accel {@code kvm} or {@code tcg}
 * @param rootDisk the qcow2 file the guest sees as {@code /dev/vda}, or null for none
 */
public record GuestSpec(String name, Path vmDir, String netnsPath, java.util.List<Nic> nics, Path kernel, Path initrd,
    String cmdline, int cpus, int memoryMib, String accel, Path rootDisk) {

  /** Copies the cards. */
  public GuestSpec {
    nics = nics == null ? java.util.List.of() : java.util.List.copyOf(nics);
  }

  /** A guest without disk. */
  public GuestSpec(String name, Path vmDir, String netnsPath, java.util.List<Nic> nics, Path kernel, Path initrd,
      String cmdline, int cpus, int memoryMib, String accel) {
    this(name, vmDir, netnsPath, nics, kernel, initrd, cmdline, cpus, memoryMib, accel, null);
  }

  /**
   * One network card.
   *
   * @param tap the tap device in the netns it uses
   * @param mac its MAC
   */
  public record Nic(String tap, String mac) {}
}
