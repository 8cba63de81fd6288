package dev.ignis.runtime.hypervisor;

import java.nio.file.Path;

/**
 * Everything a hypervisor needs to start one guest.
 *
 * @param name the VM name, for the guest's host name
 * @param vmDir the VM's directory: console log, control socket and pid file go here
 * @param netnsPath the sandbox netns the hypervisor runs in
 * @param tap the tap device in that netns the guest's NIC uses
 * @param mac the guest NIC's MAC
 * @param kernel the kernel to boot
 * @param initrd the initramfs
 * @param cmdline the whole kernel command line
 * @param cpus virtual CPUs
 * @param memoryMib memory in MiB
 * @param accel {@code kvm} or {@code tcg}
 */
public record GuestSpec(String name, Path vmDir, String netnsPath, String tap, String mac, Path kernel, Path initrd,
    String cmdline, int cpus, int memoryMib, String accel) {}
