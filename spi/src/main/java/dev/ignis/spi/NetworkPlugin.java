package dev.ignis.spi;

import java.util.List;
import java.util.Set;

/**
 * A network plugin: gives VM sandboxes their network. The one interface a plugin implements.
 *
 * <p>Declare the implementation the standard Java way, in {@code
 * META-INF/services/dev.ignis.spi.NetworkPlugin}; it needs a public no-argument constructor.
 * The runtime calls {@link #init} once, then any of the other methods, possibly from several
 * threads for different VMs (never concurrently for the same VM). Every method reports
 * failure by throwing {@link IgnisException}, with a one-line message that names what failed
 * and how to fix it.
 *
 * <p>Crash safety: the runtime persists the {@link Attachment} right after {@link #attach}
 * returns, and may call {@link #detach} with it in another process after a crash. If {@code
 * attach} fails half-way it must undo what it did before it throws. {@link #detach} must be
 * idempotent.
 */
public interface NetworkPlugin {

  /** The plugin id users pass to {@code --network-plugin}, equal to the jar's Plugin-Id. */
  String id();

  /** One line saying what the plugin does, for {@code runtime plugins}. */
  default String description() {
    return "";
  }

  /**
   * True if the plugin makes the VM's network namespace itself (a container, for example)
   * and returns its path in the attachment; false (the default) if the runtime makes the
   * netns and passes it in {@link AttachRequest#netnsPath()}.
   */
  default boolean bringsOwnSandbox() {
    return false;
  }

  /** Called once with the runtime's services before any other method. */
  default void init(PluginContext context) {}

  /** Checks the host and prepares it for this plugin's networks, or runs a plugin action. */
  BootstrapResult bootstrap(BootstrapRequest request);

  /**
   * Gives the VM's sandbox its network: interfaces, addresses, routes and the port mappings
   * in {@link AttachRequest#ports()}.
   */
  Attachment attach(AttachRequest request);

  /**
   * Checks a VM's network request before anything on the host changes: asked at {@code create},
   * before every {@code start}, and when a stopped VM's ports change. Throws {@link
   * IgnisException} naming what is wrong and how to fix it (an address outside the network, more
   * addresses than it takes, ports on a network that cannot publish them). Must not change
   * anything; {@link AttachRequest#netnsPath()} is empty here. The default accepts everything.
   *
   * @since SPI 1.2.0
   */
  default void validate(AttachRequest request) {}

  /**
   * Makes the VM's host port mappings equal to {@code wanted} and returns the mappings in
   * effect. Idempotent; may be called on a running VM to change its ports live. A plugin
   * that cannot change ports of a running VM throws {@link ErrorCode#NOT_SUPPORTED} unless
   * {@code wanted} equals what is in effect.
   */
  List<PortMapping> mapPorts(Attachment attachment, List<PortMapping> wanted);

  /** Undoes {@link #attach}. Idempotent: what is already gone is not an error. */
  void detach(Attachment attachment);

  /**
   * Whether a running VM's network is still in place, asked by {@code runtime gc}: false if the
   * plugin finds its sandbox or interface gone (a container removed behind its back), and the
   * runtime then stops the VM. Must not change anything. The default trusts the attachment.
   *
   * @since SPI 1.1.0
   */
  default boolean isIntact(Attachment attachment) {
    return true;
  }

  /**
   * Checks that a running VM's network is still as {@link #attach} set it up ({@code runtime
   * check}; CNI's CHECK); throws {@link IgnisException} saying what is wrong. Must not change
   * anything. The default checks nothing.
   *
   * @since SPI 1.2.0
   */
  default void check(Attachment attachment) {}

  /**
   * Reclaims what this plugin holds for VMs that no longer exist (leases, rules,
   * containers), given the ids of the VMs that do. Returns one line per thing reclaimed.
   * What it cannot reclaim now (a teardown that fails) it keeps for a later call and reports by
   * throwing {@link IgnisException} after trying everything else. The default reclaims nothing.
   */
  default List<String> gc(Set<String> liveVmIds) {
    return List.of();
  }
}
