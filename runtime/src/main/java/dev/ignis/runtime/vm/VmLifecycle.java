package dev.ignis.runtime.vm;

import dev.ignis.runtime.netns.NetworkNamespaces;
import dev.ignis.runtime.plugin.Plugins;
import dev.ignis.spi.AttachRequest;
import dev.ignis.spi.Attachment;
import dev.ignis.spi.DetachReason;
import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import dev.ignis.spi.IpConfig;
import dev.ignis.spi.NetworkPlugin;
import dev.ignis.spi.PortMapping;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/**
 * Creates, starts, stops and removes VMs.
 *
 * <p>A start makes the sandbox netns, attaches the network through the VM's plugin, maps its
 * ports and boots the guest in the sandbox; a stop walks this backwards. Every change is
 * journalled first (status {@code STARTING} or {@code STOPPING} in the record) and every
 * teardown step is idempotent, so {@link VmGarbageCollector} can finish what a crash
 * interrupted. Thread-safe; commands on one VM are serialised by its lock.
 */
public final class VmLifecycle {

  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(VmLifecycle.class);

  private final VmStore store;
  private final NetworkNamespaces netns;
  private final Supplier<Plugins> plugins;
  private final VmGuest guest;
  private final HostPorts hostPorts;
  private final Clock clock;

  @com.google.inject.Inject
  public VmLifecycle(VmStore store, NetworkNamespaces netns, Supplier<Plugins> plugins, VmGuest guest,
      HostPorts hostPorts, Clock clock) {
    this.store = store;
    this.netns = netns;
    this.plugins = plugins;
    this.guest = guest;
    this.hostPorts = hostPorts;
    this.clock = clock;
  }

  /**
   * Records a new VM; its plugin must exist, its name must be free, its static IPs held by no
   * other VM, and its plugin must accept its network request ({@link NetworkPlugin#validate}).
   */
  public Vm create(VmSpec spec) {
    Vm vm = Vm.create(spec, clock.instant());
    // Checked before the store's lock (the plugins' checks need no other VM, and may be slow),
    // and what depends on the other VMs once more under it.
    checkUnique(vm, store.list().vms());
    validate(vm);
    byte[] files = spec.boot().copyFiles().isEmpty() ? null : CopyFiles.archive(spec.boot().copyFiles());
    try (FileLock all = store.lockAll()) {
      checkUnique(vm, store.list().vms());
      store.save(vm);
      if (files != null) {
        try {
          CopyFiles.write(files, store.vmDir(vm.id()));
        } catch (RuntimeException e) {
          store.delete(vm.id());
          throw e;
        }
      }
      return vm;
    }
  }

  /** The VM's name and static IPs are no other VM's. */
  private static void checkUnique(Vm vm, List<Vm> others) {
    String name = vm.name();
    Optional<Vm> sameName = others.stream().filter(other -> other.name().equals(name)).findFirst();
    if (sameName.isPresent()) {
      throw new IgnisException(ErrorCode.ALREADY_EXISTS, "a VM named '" + name + "' already exists (id "
          + sameName.get().id() + "); pick another name or remove it with 'runtime rm " + name + "'");
    }
    StaticIps.checkFree(vm, others);
  }

  /**
   * The plugins of the VM's networks, in order, each having accepted its request ({@link
   * NetworkPlugin#validate}); a plugin that brings its own sandbox cannot share it with another network.
   */
  private List<NetworkPlugin> validate(Vm vm) {
    List<NetworkPlugin> chosen = vm.spec().networks().stream().map(n -> plugins.get().get(n.plugin())).toList();
    if (chosen.size() > 1) {
      chosen.stream().filter(NetworkPlugin::bringsOwnSandbox).findFirst().ifPresent(own -> {
        throw new IgnisException(ErrorCode.INVALID_ARGUMENT, "network plugin '" + own.id() + "' brings its own sandbox,"
            + " which no other network can share; give a VM on it no other --network");
      });
    }
    for (int i = 0; i < chosen.size(); i++) {
      chosen.get(i).validate(request(vm, i, ""));
    }
    guest.checkBootable(vm);
    return chosen;
  }

  /**
   * The request of the VM's {@code index}th network: the user's {@code --ip} as requested
   * addresses (get them or fail), and as kept ones those it had last time of an address family
   * the user asked for none of (get them back if free), so that a VM keeps its addresses across
   * stop and start.
   */
  private static AttachRequest request(Vm vm, int index, String netnsPath) {
    NetworkSpec network = vm.spec().networks().get(index);
    List<String> requested = network.staticIps();
    Set<Boolean> requestedFamilies = requested.stream().map(ip -> ip.contains(":"))
        .collect(Collectors.toSet());
    List<String> kept = vm.keptIps(index).stream().filter(ip -> !requestedFamilies.contains(ip.contains(":"))).toList();
    return AttachRequest.builder(vm.ref()).netnsPath(netnsPath).network(network.network())
        .interfaceName(VmSpec.interfaceName(index))
        .mac(network.mac()).requestedIps(requested).keptIps(kept).ports(network.ports())
        .options(network.options()).build();
  }

  /** Starts a created or stopped VM, optionally with another network plugin from now on. */
  public Vm start(String nameOrId, Optional<String> pluginOverride) {
    Vm found = store.find(nameOrId);
    try (FileLock lock = store.lock(found)) {
      Vm vm = store.load(found.id());
      if (vm.status() == VmStatus.RUNNING) {
        throw new IgnisException(ErrorCode.INVALID_STATE, "VM '" + vm.name() + "' is already running");
      }
      if (vm.status().isTransitional() || vm.status() == VmStatus.EXITED) {
        vm = finishStop(vm, Duration.ZERO, DetachReason.STOP);
      }
      if (pluginOverride.isPresent()) {
        vm = vm.withSpec(vm.spec().withNetworkPlugin(pluginOverride.get()));
      }
      StaticIps.checkFree(vm, store.list().vms());
      return attach(vm, validate(vm));
    }
  }

  private Vm attach(Vm stopped, List<NetworkPlugin> chosen) {
    long waiting = System.nanoTime();
    try (StartTurns.Turn turn = StartTurns.HOST.take()) {
      log.debug("timing: VM {} waited {} ms for other VMs' starts", stopped.name(),
          (System.nanoTime() - waiting) / 1_000_000);
      return attach(stopped, chosen, turn);
    }
  }

  /** The start in its turn, which ends once the VM's ports are in place. */
  private Vm attach(Vm stopped, List<NetworkPlugin> chosen, StartTurns.Turn turn) {
    long checking = System.nanoTime();
    // Host ports: checked once, before anything changes, and held until the mappings are in place.
    HostPorts.Hold portsLock = hostPorts.lockFor(stopped.spec().ports());
    try {
      hostPorts.check(stopped, store.list().vms(), List.of());
    } catch (RuntimeException e) {
      portsLock.close();
      throw e;
    }
    boolean ownSandbox = chosen.get(0).bringsOwnSandbox();
    Vm vm = stopped.withStatus(VmStatus.STARTING).withNetns(ownSandbox ? null : stopped.defaultNetnsName())
        .withAttachments(List.of());
    long begin = System.nanoTime();
    try {
      try (portsLock; turn) {
        store.save(vm);
        String netnsPath = vm.netns() == null ? "" : netns.add(vm.netns(), chosen.get(0).id()).toString();
        long sandboxed = System.nanoTime();
        if (guest.canStartEarly(vm, ownSandbox)) {
          // The guest boots while the plugins attach: the network is off the critical path.
          vm = vm.withGuest(guest.startEarly(vm, netnsPath));
          store.save(vm);
        }
        log.debug("timing: VM {} checks {} ms, sandbox {} ms, early guest start {} ms", vm.name(),
            (begin - checking) / 1_000_000, (sandboxed - begin) / 1_000_000, (System.nanoTime() - sandboxed) / 1_000_000);
        for (int i = 0; i < chosen.size(); i++) {
          vm = attachNetwork(vm, i, chosen.get(i), netnsPath);
        }
      }
      long attached = System.nanoTime();
      vm = vm.withGuest(vm.guest() != null ? guest.finishEarly(vm, vm.attachments(), vm.guest())
          : guest.boot(vm, vm.attachments()));
      vm = vm.started(clock.instant());
      store.save(vm);
      log.debug("timing: VM {} network {} ms, guest {} ms", vm.name(), (attached - begin) / 1_000_000,
          (System.nanoTime() - attached) / 1_000_000);
      return vm;
    } catch (RuntimeException e) {
      // A cancelled start (its thread interrupted) is rolled back all the same: the teardown
      // runs with the interrupt cleared, which is set again afterwards.
      boolean interrupted = Thread.interrupted();
      try {
        teardown(vm);
      } catch (RuntimeException undo) {
        e.addSuppressed(undo);
        throw e; // Keep the STARTING record: 'runtime gc' retries the teardown.
      } finally {
        if (interrupted) {
          Thread.currentThread().interrupt();
        }
      }
      store.save(vm.withStatus(stopped.status()).withNetns(null).withAttachments(List.of()).withGuest(null));
      throw e;
    }
  }

  /** Attaches the VM's {@code index}th network and publishes its ports; each step recorded as it is done. */
  private Vm attachNetwork(Vm vm, int index, NetworkPlugin plugin, String netnsPath) {
    NetworkSpec network = vm.spec().networks().get(index);
    Attachment attachment = plugin.attach(request(vm, index, netnsPath));
    vm = vm.withAttachment(index, attachment);
    store.save(vm);
    PortFamilies.check(vm.name(), attachment, network.ports()); // a plugin's validate may not know its addresses
    if (!new HashSet<>(attachment.ports()).equals(new HashSet<>(network.ports()))) {
      vm = vm.withAttachment(index, attachment.withPorts(plugin.mapPorts(attachment, network.ports())));
      store.save(vm);
    }
    return vm;
  }

  /**
   * Changes a VM's port mappings: a running VM's live through its plugin, after checking that
   * no other VM maps the same host ports; a stopped one's for its next start.
   */
  public Vm changePorts(String nameOrId, UnaryOperator<VmSpec> change) {
    Vm found = store.find(nameOrId);
    try (FileLock lock = store.lock(found)) {
      Vm vm = store.load(found.id());
      Vm changed = vm.withSpec(change.apply(vm.spec()));
      if (vm.status() != VmStatus.RUNNING) {
        if (vm.status().isTransitional()) {
          throw new IgnisException(ErrorCode.INVALID_STATE, "VM '" + vm.name() + "' is " + vm.status().label()
              + "; wait for it or run 'runtime gc'");
        }
        validate(changed);
        store.save(changed);
        return changed;
      }
      for (int i = 0; i < vm.attachments().size(); i++) {
        PortFamilies.check(vm.name(), vm.attachments().get(i), changed.spec().networks().get(i).ports());
      }
      try (HostPorts.Hold portsLock = hostPorts.lockFor(changed.spec().ports())) {
        hostPorts.check(changed, store.list().vms(), vm.publishedPorts());
        for (int i = 0; i < vm.attachments().size(); i++) {
          Attachment attachment = vm.attachments().get(i);
          List<PortMapping> wanted = changed.spec().networks().get(i).ports();
          if (new HashSet<>(attachment.ports()).equals(new HashSet<>(wanted))) {
            continue;
          }
          List<PortMapping> effective = plugins.get().get(attachment.pluginId()).mapPorts(attachment, wanted);
          changed = changed.withAttachment(i, attachment.withPorts(effective));
          store.save(changed);
        }
        store.save(changed);
      }
      return changed;
    }
  }

  /** The outcome of {@link #stop}. */
  public record StopResult(Vm vm, boolean wasRunning) {}

  /**
   * Stops a VM: powers its guest off (ACPI, then killed after {@code grace}; zero kills at
   * once), detaches its network and removes its sandbox. A stopped VM is left as it is.
   */
  public StopResult stop(String nameOrId, Duration grace) {
    Vm found = store.find(nameOrId);
    try (FileLock lock = store.lock(found)) {
      Vm vm = store.load(found.id());
      if (vm.status() == VmStatus.CREATED || vm.status() == VmStatus.STOPPED) {
        return new StopResult(vm, false);
      }
      return new StopResult(finishStop(vm, grace, DetachReason.STOP), true);
    }
  }

  /**
   * The VM as it really is: a running VM whose hypervisor died is recorded as exited (when no
   * other command holds it). Its network stays attached until stop, rm or gc.
   */
  public Vm reconcile(Vm vm) {
    if (vm.status() != VmStatus.RUNNING || vm.guest() == null || guest.isAlive(vm.guest()) || !store.isIdle(vm)) {
      return vm;
    }
    try (FileLock lock = store.lock(vm)) {
      Vm current = store.load(vm.id());
      if (current.status() == VmStatus.RUNNING && !guest.isAlive(current.guest())) {
        current = current.withStatus(VmStatus.EXITED);
        store.save(current);
      }
      return current;
    }
  }

  /** The outcome of {@link #remove}: the VM's name (its id if its record was unreadable), and what its teardown left behind. */
  public record Removal(String name, Optional<String> leftBehind) {
    /** The warning users get when something was left behind. */
    public Optional<String> warning() {
      return leftBehind.map(what -> "warning: VM '" + name + "' is removed, but not all of its network: " + what);
    }
  }

  /**
   * Removes a VM record; a running VM only with {@code force}, after stopping it. With {@code
   * force} the record goes even if the network's teardown fails: what the plugin could not undo
   * stays with the plugin (the cni plugin keeps its journal entry and sandbox for {@code gc}),
   * and the removal says so. {@code force} also removes a VM whose record cannot be read: its
   * QEMU is stopped through its pid file, and {@code gc} then reclaims its network.
   */
  public Removal remove(String nameOrId, boolean force) {
    Vm found;
    try {
      found = store.find(nameOrId);
    } catch (IgnisException e) {
      Optional<String> unreadable = force && e.code() == ErrorCode.DECODING_FAILURE ? store.unreadableId(nameOrId)
          : Optional.empty();
      if (unreadable.isEmpty()) {
        throw e;
      }
      guest.killUnread(unreadable.get());
      store.delete(unreadable.get());
      return new Removal(unreadable.get(), Optional.of("its record could not be read, so its network was not"
          + " detached; 'runtime gc' reclaims it"));
    }
    try (FileLock lock = store.lock(found)) {
      Vm vm = store.load(found.id());
      boolean active = vm.status() != VmStatus.CREATED && vm.status() != VmStatus.STOPPED
          && vm.status() != VmStatus.EXITED;
      if (active && !force) {
        throw new IgnisException(ErrorCode.INVALID_STATE, "VM '" + vm.name() + "' is " + vm.status().label()
            + "; stop it first ('runtime stop " + vm.name() + "') or use 'runtime rm -f'");
      }
      Optional<String> leftBehind = Optional.empty();
      if (vm.status() != VmStatus.CREATED && vm.status() != VmStatus.STOPPED) {
        try {
          finishStop(vm, Duration.ZERO, DetachReason.REMOVE);
        } catch (IgnisException e) {
          if (!force) {
            throw e;
          }
          leftBehind = Optional.of(e.getMessage());
        }
      }
      store.delete(vm.id());
      return new Removal(vm.name(), leftBehind);
    }
  }

  /**
   * Stops a VM whose lock the caller holds: journal, guest off, teardown, record. If a
   * network's teardown fails, the record stays {@code STOPPING} with the attachments not yet
   * detached and the sandbox (so a later stop, rm or gc can retry it) and notes what is pending.
   */
  Vm finishStop(Vm vm, Duration grace, DetachReason reason) {
    repinSandbox(vm); // the plugin's DEL needs the sandbox (the bridge plugin finds its rules through it)
    Vm stopping = vm.withStatus(VmStatus.STOPPING);
    store.save(stopping);
    guest.stop(stopping.guest(), grace);
    guest.kill(stopping);
    guest.unlink(stopping, stopping.attachments());
    Vm detached = detach(stopping.withGuest(null), reason, (left, e) -> {
      store.save(left.withPending(e.getMessage()));
      return new IgnisException(e.code(), "VM '" + vm.name() + "' is stopped, but its network is not detached: "
          + e.getMessage() + "; once that is fixed, 'runtime stop " + vm.name() + "' or 'runtime gc' finishes it", e);
    });
    Vm stopped = detached.withStatus(VmStatus.STOPPED).withNetns(null).withPending(null);
    store.save(stopped);
    return stopped;
  }

  /**
   * Pins the VM's sandbox netns again from its QEMU when the pin at {@code /run/netns} vanished
   * while the guest still runs in it; returns whether it did.
   */
  boolean repinSandbox(Vm vm) {
    if (vm.netns() == null || netns.exists(vm.netns()) || !guest.isAlive(vm.guest())) {
      return false;
    }
    netns.repin(vm.netns(), vm.guest().pid());
    log.info("VM {}: pinned its sandbox netns {} again from its QEMU (pid {})", vm.name(), vm.netns(), vm.guest().pid());
    return true;
  }

  /** Kills the guest, detaches the networks and removes the netns: the undo of a start that failed. */
  private void teardown(Vm vm) {
    guest.kill(vm);
    guest.unlink(vm, vm.attachments());
    detach(vm, DetachReason.STOP, (left, e) -> e);
  }

  /**
   * Detaches the VM's networks, last first (each from the record, or as its plugin finds it by
   * VM id and interface name when a start was cut short before recording it), then removes the
   * netns. Returns the VM without attachments; a failure is handed with the VM as it is left
   * (the attachments not yet detached) to {@code failed}, whose exception is thrown.
   */
  private Vm detach(Vm vm, DetachReason reason, java.util.function.BiFunction<Vm, IgnisException, RuntimeException> failed) {
    Vm left = vm;
    String path = vm.netns() == null ? "" : netns.pathOf(vm.netns()).toString();
    for (int i = vm.spec().networks().size() - 1; i >= 0; i--) {
      Attachment attachment = left.attachment(i).orElseGet(() -> null);
      int index = i;
      if (attachment == null) {
        attachment = Attachment.builder(vm.spec().networks().get(index).plugin(), vm.ref()).netnsPath(path)
            .guestInterface(VmSpec.interfaceName(index)).build();
      }
      try {
        plugins.get().get(attachment.pluginId()).detach(attachment, reason);
      } catch (IgnisException e) {
        throw failed.apply(left, e);
      }
      if (i < left.attachments().size()) {
        left = left.withAttachments(left.attachments().subList(0, i));
      }
    }
    if (vm.netns() != null) {
      netns.delete(vm.netns());
    }
    return left;
  }

  /**
   * Removes a VM directory that holds no record, stopping first the QEMU and DHCP server its
   * pid files name (a start cut short can leave them running).
   */
  void removeLeftover(String id) {
    guest.killUnread(id);
    store.delete(id);
  }

  /** CHECK of a running VM's network through its plugin; throws what the plugin finds wrong. */
  public Vm check(String nameOrId) {
    Vm vm = reconcile(store.find(nameOrId));
    if (vm.status() != VmStatus.RUNNING || !vm.hasAttachments()) {
      throw new IgnisException(ErrorCode.INVALID_STATE, "VM '" + vm.name() + "' is " + vm.status().label()
          + "; only a running VM's network can be checked");
    }
    for (Attachment attachment : vm.attachments()) {
      plugins.get().get(attachment.pluginId()).check(attachment);
    }
    return vm;
  }

}
