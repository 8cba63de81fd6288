package dev.ignis.runtime.vm;

import dev.ignis.runtime.netns.NetworkNamespaces;
import dev.ignis.runtime.plugin.Plugins;
import dev.ignis.spi.IgnisException;
import dev.ignis.spi.NetworkPlugin;
import java.nio.file.Path;
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
    List<Vm> vms = store.list().vms();
    Set<String> ownedNetns = vms.stream().map(Vm::netns).filter(n -> n != null).collect(Collectors.toSet());
    for (String name : netns.journalled()) {
      if (!ownedNetns.contains(name)) {
        tryStep(() -> netns.delete(name), "removed sandbox netns " + name + " of a VM that no longer exists",
            reclaimed, problems);
      }
    }
    Set<String> attached = vms.stream().filter(vm -> vm.attachment() != null).map(Vm::id).collect(Collectors.toSet());
    for (NetworkPlugin plugin : plugins.get().all()) {
      try {
        plugin.gc(attached).forEach(line -> reclaimed.add(plugin.id() + ": " + line));
      } catch (IgnisException e) {
        problems.add(plugin.id() + ": " + e.getMessage());
      }
    }
    return new Report(reclaimed, problems);
  }

  private void finishInterrupted(Vm vm, List<String> reclaimed, List<String> problems) {
    boolean interrupted = vm.status().isTransitional() && store.isIdle(vm);
    boolean lostSandbox = vm.status() == VmStatus.RUNNING && vm.netns() != null && !netns.exists(vm.netns());
    if (!interrupted && !lostSandbox) {
      return;
    }
    String what = interrupted
        ? "finished the interrupted " + (vm.status() == VmStatus.STARTING ? "start" : "stop") + " of VM '" + vm.name() + "': stopped"
        : "VM '" + vm.name() + "' lost its sandbox netns " + vm.netns() + ": detached and stopped";
    tryStep(() -> {
      try (FileLock lock = store.lock(vm)) {
        lifecycle.finishStop(store.load(vm.id()));
      }
    }, what, reclaimed, problems);
  }

  private void removeLeftoverDirectories(List<String> reclaimed, List<String> problems) {
    for (Path dir : store.leftoverDirectories()) {
      tryStep(() -> store.delete(dir.getFileName().toString()), "removed " + dir + " (an interrupted create or rm)", reclaimed, problems);
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
