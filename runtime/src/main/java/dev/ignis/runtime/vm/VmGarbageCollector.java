package dev.ignis.runtime.vm;

import dev.ignis.runtime.netns.NetworkNamespaces;
import dev.ignis.runtime.plugin.Plugins;
import dev.ignis.spi.DetachReason;
import dev.ignis.spi.GcRequest;
import dev.ignis.spi.IgnisException;
import dev.ignis.spi.NetworkPlugin;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Reclaims what crashes left: finishes interrupted starts and stops, removes sandboxes whose
 * VM is gone and half-written record directories, and asks every plugin to reclaim what it
 * holds for VMs that no longer exist.
 */
public final class VmGarbageCollector {

  private final VmStore store;
  private final NetworkNamespaces netns;
  private final Supplier<Plugins> plugins;
  private final VmLifecycle lifecycle;

  @com.google.inject.Inject
  public VmGarbageCollector(VmStore store, NetworkNamespaces netns, Supplier<Plugins> plugins, VmLifecycle lifecycle) {
    this.store = store;
    this.netns = netns;
    this.plugins = plugins;
    this.lifecycle = lifecycle;
  }

  /** What a collection did, and what it could not do. */
  public record Report(List<String> reclaimed, List<String> problems) {}

  /** Runs one collection. */
  public Report collect() {
    List<String> reclaimed = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    VmStore.Listing listing = store.list();
    for (Vm vm : listing.vms()) {
      finishInterrupted(vm, reclaimed, problems);
    }
    removeLeftoverDirectories(reclaimed, problems);
    VmStore.Listing after = store.list();
    List<Vm> vms = after.vms();
    // A VM another command is starting holds network before its attachment is recorded; one
    // whose record cannot be read may hold it too: never tear down what cannot be read.
    Set<String> existing = vms.stream().map(Vm::id).collect(Collectors.toSet());
    existing.addAll(after.unreadableIds());
    Set<String> busy = vms.stream().filter(vm -> !store.isIdle(vm)).map(Vm::id).collect(Collectors.toSet());
    busy.addAll(after.unreadableIds());
    after.problems().forEach(problem -> problems.add(problem + " (gc leaves that VM alone)"));
    Set<String> teardownPending = new java.util.HashSet<>();
    List<String> loaded = plugins.get().ids();
    for (String id : loaded) {
      try { // one plugin at a time: one that fails (or cannot even start) does not stop the others
        NetworkPlugin plugin = plugins.get().get(id);
        GcRequest request = GcRequest.builder().existingVmIds(existing).busyVmIds(busy)
            .attachments(vms.stream().flatMap(vm -> vm.attachments().stream()).filter(a -> a.pluginId().equals(id)).toList())
            .build();
        plugin.gc(request).forEach(line -> reclaimed.add(id + ": " + line));
      } catch (IgnisException e) {
        problems.add(id + ": " + e.getMessage());
        teardownPending.add(id);
      }
    }
    // After the plugins: a teardown they could not finish may still need the sandbox (the
    // bridge plugin removes its masquerade rules by the addresses inside it), and so may one a
    // plugin that is not installed now will do once it is back.
    Set<String> ownedNetns = vms.stream().map(Vm::netns).filter(n -> n != null).collect(Collectors.toSet());
    after.unreadableIds().forEach(id -> ownedNetns.add("ignis-" + id));
    for (String name : netns.journalled()) {
      if (ownedNetns.contains(name)) {
        continue;
      }
      java.util.Optional<String> owner = netns.ownerOf(name);
      if (owner.isPresent() && !loaded.contains(owner.get())) {
        problems.add("kept sandbox netns " + name + " of a VM that no longer exists: its network plugin '"
            + owner.get() + "' is not installed to tear its network down; install it again, then run 'runtime gc'");
      } else if (owner.map(teardownPending::contains).orElse(!teardownPending.isEmpty())) {
        problems.add("kept sandbox netns " + name + " of a VM that no longer exists until its plugin's teardown"
            + " succeeds; 'runtime gc' removes it then");
      } else {
        tryStep(() -> netns.delete(name), "removed sandbox netns " + name + " of a VM that no longer exists",
            reclaimed, problems);
      }
    }
    return new Report(reclaimed, problems);
  }

  private void finishInterrupted(Vm vm, List<String> reclaimed, List<String> problems) {
    Vm current = lifecycle.reconcile(vm);
    boolean interrupted = current.status().isTransitional() && store.isIdle(current);
    boolean exited = current.status() == VmStatus.EXITED;
    if (current.status() == VmStatus.RUNNING && !sandboxExists(current) && current.netns() != null
        && lifecycle.repinSandbox(current)) {
      reclaimed.add("VM '" + current.name() + "' lost the pin of its sandbox netns " + current.netns()
          + ": pinned it again from its QEMU (pid " + current.guest().pid() + ")");
    }
    boolean lostSandbox = current.status() == VmStatus.RUNNING && !sandboxExists(current);
    java.util.Optional<String> lostNetwork = current.status() == VmStatus.RUNNING && !lostSandbox
        ? brokenNetwork(current, problems) : java.util.Optional.empty();
    if (!interrupted && !exited && !lostSandbox && lostNetwork.isEmpty()) {
      return;
    }
    String what = interrupted
        ? "finished the interrupted " + (current.status() == VmStatus.STARTING ? "start" : "stop") + " of VM '"
            + current.name() + "': stopped"
        : exited ? "VM '" + current.name() + "' had exited: detached its network and stopped it"
        : lostSandbox ? "VM '" + current.name() + "' lost its sandbox netns " + sandboxOf(current) + ": detached and stopped"
        : "VM '" + current.name() + "' lost its network (plugin " + lostNetwork.get()
            + " finds its sandbox gone): detached and stopped";
    tryStep(() -> {
      try (FileLock lock = store.lock(current)) {
        lifecycle.finishStop(store.load(current.id()), Duration.ZERO, DetachReason.STOP);
      }
    }, what, reclaimed, problems);
  }

  /** True unless the VM's sandbox netns (the runtime's, or its plugin's own) is gone. */
  private boolean sandboxExists(Vm vm) {
    if (vm.netns() != null) {
      return netns.exists(vm.netns());
    }
    String path = sandboxOf(vm);
    return path.isEmpty() || java.nio.file.Files.exists(Path.of(path));
  }

  /**
   * The plugin of the first of the VM's networks its plugin says is not intact; a plugin that
   * cannot tell leaves the VM alone.
   */
  private java.util.Optional<String> brokenNetwork(Vm vm, List<String> problems) {
    if (!store.isIdle(vm)) {
      return java.util.Optional.empty();
    }
    for (dev.ignis.spi.Attachment attachment : vm.attachments()) {
      try {
        if (!plugins.get().get(attachment.pluginId()).isIntact(attachment)) {
          return java.util.Optional.of(attachment.pluginId());
        }
      } catch (IgnisException e) {
        problems.add("cannot check the network of VM '" + vm.name() + "': " + e.getMessage());
        return java.util.Optional.empty();
      }
    }
    return java.util.Optional.empty();
  }

  private static String sandboxOf(Vm vm) {
    return vm.netns() != null ? vm.netns() : vm.attachments().isEmpty() ? "" : vm.attachments().get(0).netnsPath();
  }

  private void removeLeftoverDirectories(List<String> reclaimed, List<String> problems) {
    for (Path dir : store.leftoverDirectories()) {
      tryStep(() -> lifecycle.removeLeftover(dir.getFileName().toString()), "removed " + dir
          + " (an interrupted create or rm)", reclaimed, problems);
    }
  }

  private static void tryStep(Runnable step, String success, List<String> reclaimed, List<String> problems) {
    try {
      step.run();
      reclaimed.add(success);
    } catch (IgnisException e) {
      problems.add(e.getMessage());
    }
  }

}
