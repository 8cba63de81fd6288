package dev.ignis.tck;

import dev.ignis.spi.AttachRequest;
import dev.ignis.spi.NetworkPlugin;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * The plugin under test and what the kit needs to know about it. Immutable; make one with
 * {@link #of} and the {@code with*} methods.
 *
 * @param plugin makes a new, uninitialized instance of the plugin (the kit calls {@code init}
 *     with a context of its own, as the runtime does)
 * @param settings the plugin's settings, as {@code plugin.<id>.<key>} would give them
 * @param observedNetns netns paths besides the host's whose links, addresses, routes and
 *     firewall rules the plugin may change (a Docker daemon's own namespace, say)
 * @param observedDirs directories besides the plugin's state dir it writes to (a CNI cache, an
 *     IPAM data dir): attach then detach must leave no file behind there
 * @param publishesPorts whether the plugin publishes host ports; if not, {@code validate} or
 *     {@code attach} must refuse ports with {@code NOT_SUPPORTED}
 * @param keepsAddresses whether an attach after a stop gives the VM back its kept addresses
 * @param failingAttach turns a good request into one whose attach fails after it changed the
 *     host (empty: the kit uses a sandbox path where there is no network namespace, which fits
 *     a plugin that does not bring its own sandbox, but fails before much has changed)
 * @param hostNetns the netns the plugin's host commands run in, for a plugin whose "host" is a
 *     test node in a namespace of its own; empty for the real host
 * @param bootstrapped true if the target prepared the host itself (the kit then skips the
 *     default bootstrap, which may need services only the node reaches)
 */
public record TckTarget(
    Supplier<NetworkPlugin> plugin,
    Map<String, String> settings,
    List<String> observedNetns,
    List<Path> observedDirs,
    boolean publishesPorts,
    boolean keepsAddresses,
    Optional<UnaryOperator<AttachRequest>> failingAttach,
    String hostNetns,
    boolean bootstrapped) {

  /** Copies the collections. */
  public TckTarget {
    settings = Map.copyOf(settings);
    observedNetns = List.copyOf(observedNetns);
    observedDirs = List.copyOf(observedDirs);
  }

  /** The plugin with no settings, publishing ports, not promising to keep addresses. */
  public static TckTarget of(Supplier<NetworkPlugin> plugin) {
    return new TckTarget(plugin, Map.of(), List.of(), List.of(), true, false, Optional.empty(), "", false);
  }

  /** With one more plugin setting. */
  public TckTarget withSetting(String key, String value) {
    Map<String, String> more = new LinkedHashMap<>(settings);
    more.put(key, value);
    return new TckTarget(plugin, more, observedNetns, observedDirs, publishesPorts, keepsAddresses, failingAttach,
        hostNetns, bootstrapped);
  }

  /** With one more netns to observe. */
  public TckTarget observingNetns(String path) {
    List<String> more = new ArrayList<>(observedNetns);
    more.add(path);
    return new TckTarget(plugin, settings, more, observedDirs, publishesPorts, keepsAddresses, failingAttach,
        hostNetns, bootstrapped);
  }

  /** With one more directory to observe. */
  public TckTarget observingDir(Path dir) {
    List<Path> more = new ArrayList<>(observedDirs);
    more.add(dir);
    return new TckTarget(plugin, settings, observedNetns, more, publishesPorts, keepsAddresses, failingAttach,
        hostNetns, bootstrapped);
  }

  /** For a plugin that publishes no ports. */
  public TckTarget withoutPorts() {
    return new TckTarget(plugin, settings, observedNetns, observedDirs, false, keepsAddresses, failingAttach,
        hostNetns, bootstrapped);
  }

  /** For a plugin that gives a VM its kept addresses back after a stop. */
  public TckTarget keepingAddresses() {
    return new TckTarget(plugin, settings, observedNetns, observedDirs, publishesPorts, true, failingAttach,
        hostNetns, bootstrapped);
  }

  /** For a plugin whose host is a test node: its host commands run in that netns, which the kit observes too. */
  public TckTarget onNode(String netnsPath) {
    return new TckTarget(plugin, settings, observedNetns, observedDirs, publishesPorts, keepsAddresses, failingAttach,
        netnsPath, bootstrapped);
  }

  /** For a target that bootstrapped the host itself; the kit does not run the default bootstrap. */
  public TckTarget alreadyBootstrapped() {
    return new TckTarget(plugin, settings, observedNetns, observedDirs, publishesPorts, keepsAddresses, failingAttach,
        hostNetns, true);
  }

  /** With the way to make an attach fail half-way. */
  public TckTarget failingAttachBy(UnaryOperator<AttachRequest> change) {
    return new TckTarget(plugin, settings, observedNetns, observedDirs, publishesPorts, keepsAddresses,
        Optional.of(change), hostNetns, bootstrapped);
  }
}
