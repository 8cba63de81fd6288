package dev.ignis.runtime.hypervisor;

/**
 * A running guest as the VM record keeps it.
 *
 * @param pid the hypervisor's process id
 * @param accel the accelerator it runs with ({@code kvm} or {@code tcg})
 * @param console the serial console log
 * @param control the hypervisor's control socket (QMP)
 */
public record GuestProcess(long pid, String accel, String console, String control) {}
