package dev.ignis.spi;

import java.util.List;

/**
 * A network plugin: gives VM sandboxes their network. The one interface a plugin implements.
 *
 * <p><b>Loading.</b> Declare the implementation the standard Java way, in {@code
 * META-INF/services/dev.ignis.spi.NetworkPlugin}; it needs a public no-argument constructor. The
 * jar's manifest names the plugin ({@code Plugin-Id}, equal to {@link #id()}) and the SPI range
 * it was built for ({@code Plugin-Requires: >=2.0.0 & <3.0.0}). A plugin id belongs to one jar:
 * the runtime's bundled plugins win over a dropped-in jar claiming their id. Each plugin gets a
 * class loader of its own that sees only this package of the runtime.
 *
 * <p><b>Calls.</b> A command run in a process of its own ({@code IGNIS_DAEMON=off}) makes an
 * instance for that command; the resident runtime ({@code ignisd}) makes one that lives as long as
 * it does, initialised when it starts (see {@link PluginContext#startService} for jobs that outlive
 * a call), and one for a command whose settings differ from its own. The runtime calls {@link
 * #init} once per instance, then any other method, possibly from several threads for different
 * VMs, never concurrently for the same VM. {@link #attach}, {@link #detach}, {@link #mapPorts},
 * {@link #check} and {@link #isIntact} run on a thread of their own and are given up after the plugin's {@code call-timeout} setting (seconds,
 * 300 by default): the thread is interrupted and the call reported as failed; a given-up attach
 * is followed by a {@link #detach}.
 *
 * <p><b>Errors.</b> Every method reports failure by throwing {@link IgnisException} with a code
 * and a one-line message that names what failed and how to fix it. Anything else a plugin throws
 * (or returns that the guest cannot use) is reported to the user as a failure of the plugin,
 * exit code 104, naming it.
 *
 * <p><b>What the runtime checks first.</b> Host ports ({@link AttachRequest#ports()}) are checked
 * by the runtime alone, under one host-wide lock, against other VMs, host listeners and foreign
 * port-forwarding rules, before {@link #attach} and {@link #mapPorts}; plugins need not repeat
 * it. Static addresses are checked not to be another VM's {@code --ip}.
 *
 * <p><b>Crash safety.</b> The runtime persists the {@link Attachment} right after {@link
 * #attach} returns, and may call {@link #detach} with it in another process after a crash. If it
 * died before that, {@link #detach} gets a bare attachment: plugin id, VM, sandbox path, and
 * nothing else; the plugin must then find what it made from the VM id alone (record intent
 * before changing the host). If {@code attach} fails half-way it must undo what it did before it
 * throws. {@link #detach} must be idempotent.
 *
 * <p><b>Growth.</b> Minor SPI versions add {@code default} methods, record components (made
 * through builders and factories, never through canonical constructors) and enum constants;
 * what exists keeps working. Make SPI values only through their builders and factories.
 */
public interface NetworkPlugin {

  /** The plugin id users pass to {@code --network-plugin}, equal to the jar's Plugin-Id. */
  String id();

  /** One line saying what the plugin does, shown by {@code runtime plugins}. */
  default String description() {
    return "";
  }

  /**
   * True if the plugin makes the VM's network namespace itself (a container, for example) and
   * returns its path in the attachment; false (the default) if the runtime makes the netns,
   * passes it in {@link AttachRequest#netnsPath()}, and removes it after {@link #detach}. A plugin
   * that brings its own sandbox cannot share a VM with another network.
   */
  default boolean bringsOwnSandbox() {
    return false;
  }

  /** Called once with the runtime's services before any other method. */
  default void init(PluginContext context) {}

  /**
   * Checks the host and prepares it for this plugin's networks ({@code runtime bootstrap}), or runs
   * a plugin action ({@code runtime bootstrap ACTION ARGS...}).
   */
  BootstrapResult bootstrap(BootstrapRequest request);

  /**
   * Checks a VM's network request before anything on the host changes: asked at {@code create},
   * before every {@code start}, and when a stopped VM's ports change. Throws {@link
   * IgnisException} naming what is wrong and how to fix it (an address outside the network, more
   * addresses than it takes, ports on a network that cannot publish them, an option it does not
   * know). Must not change anything; {@link AttachRequest#netnsPath()} is empty here. The default
   * accepts everything.
   */
  default void validate(AttachRequest request) {}

  /**
   * Gives the VM's sandbox one network: the interface {@link AttachRequest#interfaceName()} with
   * its addresses and routes, and the port mappings in {@link AttachRequest#ports()}. Returns an
   * attachment whose {@link Attachment#guestInterface()} names that interface (see {@link
   * Attachment} for what the runtime does with it). The runtime refuses, and detaches, an
   * attachment of another plugin or VM, one with no guest interface in the sandbox, and one with
   * no address on the guest interface while ports are wanted.
   */
  Attachment attach(AttachRequest request);

  /**
   * Makes the VM's host port mappings equal to {@code wanted} and returns the mappings in effect.
   * Idempotent; may be called on a running VM to change its ports live. A plugin that cannot
   * change ports of a running VM throws {@link ErrorCode#NOT_SUPPORTED} unless {@code wanted}
   * equals what is in effect. The runtime stores the returned list in the attachment.
   */
  List<PortMapping> mapPorts(Attachment attachment, List<PortMapping> wanted);

  /**
   * Undoes {@link #attach}. Idempotent: what is already gone is not an error. The attachment is
   * the one attach returned (ports as last mapped) or a bare one after a crash; the guest is off
   * and the runtime's tap is gone. What fails is reported by throwing after trying everything;
   * the runtime keeps the attachment and calls again later ({@code stop}, {@code rm}, {@code gc}).
   *
   * @param reason whether the VM comes back ({@link DetachReason#STOP}) or goes ({@link
   *     DetachReason#REMOVE})
   */
  void detach(Attachment attachment, DetachReason reason);

  /**
   * Whether a running VM's network is still in place, asked by {@code runtime gc}: false if the
   * plugin finds its sandbox or interface gone (a container removed behind its back), and the
   * runtime then stops the VM. Must not change anything. The default trusts the attachment.
   */
  default boolean isIntact(Attachment attachment) {
    return true;
  }

  /**
   * Checks that a running VM's network is still as {@link #attach} set it up ({@code runtime
   * check}; CNI's CHECK); throws {@link IgnisException} saying what is wrong. Must not change
   * anything. The default checks nothing.
   */
  default void check(Attachment attachment) {}

  /**
   * Reclaims what this plugin holds for VMs that no longer hold its network ({@code runtime gc}):
   * leases, rules, containers of VMs that are gone, or stopped and not meant to keep them. Keep
   * everything of {@link GcRequest#networkHoldingVmIds()}. Returns one line per thing reclaimed.
   * What it cannot reclaim now (a teardown that fails) it keeps for a later call and reports by
   * throwing {@link IgnisException} after trying everything else. The default reclaims nothing.
   */
  default List<String> gc(GcRequest request) {
    return List.of();
  }
}
