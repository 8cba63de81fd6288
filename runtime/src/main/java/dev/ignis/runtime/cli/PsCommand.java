package dev.ignis.runtime.cli;

import dev.ignis.runtime.vm.VmLifecycle;
import dev.ignis.runtime.vm.VmStatus;
import dev.ignis.runtime.vm.VmStore;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code runtime ps}. */
@Command(name = "ps", mixinStandardHelpOptions = true,
    description = "List running VMs (all with -a); a VM whose guest died shows as exited.")
final class PsCommand implements Callable<Integer> {

  @ParentCommand RootCommand root;
  @Mixin OutputOption output;

  @Option(names = {"-a", "--all"}, description = "Show stopped and created VMs too.")
  boolean all;

  @Option(names = {"-q", "--quiet"}, description = "Print only the VMs' ids, one a line.")
  boolean quiet;

  @Option(names = {"-f", "--filter"}, paramLabel = "KEY=VALUE", description = "Show only the VMs that match"
      + " (repeatable; values of one key are alternatives): name (a part of it), id (a prefix), status, plugin,"
      + " network (PLUGIN or PLUGIN:NETWORK), label (KEY or KEY=VALUE; every label given must match).")
  List<String> filters = new java.util.ArrayList<>();

  @Option(names = "--format", paramLabel = "TEMPLATE", description = "Print each VM by a template over the keys of"
      + " -o json, such as '{{.name}}\\t{{.status}}' (\\t: a tab).")
  String format;

  @Override
  public Integer call() {
    java.nio.file.Path stateDir = root.settings().stateDir();
    if (java.nio.file.Files.notExists(stateDir)) { // listed as empty, and not made: a typo stays visible
      root.err.println("note: the state dir " + stateDir + " does not exist, so no VM was made there; check"
          + " --state-dir or IGNIS_STATE_DIR");
    }
    VmStore store = root.service(VmStore.class);
    VmStore.Listing listing = store.list();
    listing.problems().forEach(problem -> root.err.println("warning: " + problem));
    VmLifecycle lifecycle = root.service(VmLifecycle.class);
    VmFilter filter = new VmFilter(filters);
    OutputTemplate template = format == null ? null : new OutputTemplate(format);
    List<VmView> views = listing.vms().stream()
        .map(lifecycle::reconcile)
        .filter(vm -> all || vm.status() != VmStatus.CREATED && vm.status() != VmStatus.STOPPED)
        .map(vm -> VmView.of(vm, vm.status().isTransitional() && store.isIdle(vm), store.vmDir(vm.id())))
        .filter(filter::matches)
        .toList();
    if (quiet) {
      views.forEach(view -> root.out.println(view.id()));
      return 0;
    }
    if (template != null) {
      views.forEach(view -> root.out.println(template.render(view)));
      return 0;
    }
    if (!output.isTable()) {
      output.print(root.out, views);
      return 0;
    }
    Instant now = Instant.now();
    java.util.Map<String, String> labels = new java.util.HashMap<>(); // image and kernel ids: names, as Ignite shows
    if (views.stream().anyMatch(view -> view.image() != null || view.kernel().startsWith("sha256:"))) {
      root.service(dev.ignis.runtime.image.oci.OciImages.class).list().forEach(i -> labels.put(i.id(), i.label()));
      root.service(dev.ignis.runtime.image.kernel.Kernels.class).list().forEach(k -> labels.put(k.id(), k.label()));
    }
    Table table = new Table("VM ID", "NAME", "IMAGE", "KERNEL", "CPUS", "MEMORY", "SIZE", "STATUS", "NETWORK", "IPS", "PORTS",
        "CREATED");
    for (VmView view : views) {
      String kernel = view.kernel().startsWith("/") ? java.nio.file.Path.of(view.kernel()).getFileName().toString()
          : labels.getOrDefault(view.kernel(), view.kernel());
      table.row(view.id(), view.name(), view.image() == null ? "-" : labels.getOrDefault(view.image(), view.image()),
          kernel, String.valueOf(view.cpus()), view.memoryMib() + " MiB",
          view.diskMib() == null ? "-" : size(view.diskMib()), view.statusColumn(now),
          view.networkColumn(), view.ipsColumn(), view.portsColumn(),
          VmView.age(view.createdAt(), now) + " ago");
    }
    table.print(root.out);
    return 0;
  }

  /** A disk size as people read it: {@code 512 MiB}, {@code 4.0 GiB}. */
  static String size(long mib) {
    return mib < 1024 ? mib + " MiB" : String.format(java.util.Locale.ROOT, "%.1f GiB", mib / 1024.0);
  }
}
