package dev.ignis.plugin.cni;

import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cni plugin's {@code gc}: DEL of every attachment of VMs that no longer hold a network,
 * then GC (spec 1.1.0) of each network this installation uses, naming as valid every
 * attachment the shared cache holds for it, whichever runtime made it, and ours still being
 * added (libcni 1.2's order: DEL the stale ones first). A DEL that fails keeps its journal
 * entry for the next gc; the failures are thrown together at the end.
 */
final class CniGarbageCollector {

  private static final Logger log = LoggerFactory.getLogger(CniGarbageCollector.class);

  private final Attachments attachments;
  private final ResultCache cache;
  private final CniRuntime runtime;
  private final NetworkConfigs configs;
  private final Optional<String> configuredNetwork;

  CniGarbageCollector(Attachments attachments, ResultCache cache, CniRuntime runtime, NetworkConfigs configs,
      Optional<String> configuredNetwork) {
    this.attachments = attachments;
    this.cache = cache;
    this.runtime = runtime;
    this.configs = configs;
    this.configuredNetwork = configuredNetwork;
  }

  List<String> collect(Set<String> liveVmIds) {
    List<String> reclaimed = new ArrayList<>();
    List<String> failures = new ArrayList<>();
    for (AttachmentJournal.Item item : attachments.items()) {
      if (liveVmIds.contains(item.containerId())) {
        continue;
      }
      try {
        boolean attached = attachments.entryOf(item).isPresent();
        attachments.delete(item);
        if (attached) {
          reclaimed.add("deleted the attachment of VM " + item.containerId() + " to network '" + item.network() + "'");
        }
      } catch (IgnisException e) {
        failures.add("could not delete the attachment of VM " + item.containerId() + " (" + e.getMessage()
            + "); it is kept and retried by the next 'runtime gc'");
      }
    }
    try {
      Set<String> journalled = new java.util.HashSet<>();
      attachments.items().forEach(item -> journalled.add(item.key()));
      reclaimed.addAll(attachments.proxies().stopOrphans(journalled));
    } catch (IgnisException e) {
      failures.add(e.getMessage());
    }
    for (NetworkConfigList list : networksInUse()) {
      try {
        if (runtime.gc(list, validAttachments(list.name()))) {
          reclaimed.add("sent GC to network '" + list.name() + "'");
        }
      } catch (IgnisException e) {
        failures.add(e.getMessage());
      }
    }
    if (!failures.isEmpty()) {
      throw new IgnisException(ErrorCode.PLUGIN_FAILED, String.join("; ", failures)
          + (reclaimed.isEmpty() ? "" : " (also done: " + String.join("; ", reclaimed) + ")"));
    }
    return reclaimed;
  }

  /** Every attachment of the network in the shared cache, and ours (also those still being added), once each. */
  private List<RuntimeConf> validAttachments(String network) {
    Map<String, RuntimeConf> valid = new LinkedHashMap<>();
    cache.entriesOf(network).forEach(conf -> valid.put(conf.containerId() + "/" + conf.ifName(), conf));
    attachments.items().stream().filter(i -> i.network().equals(network)).forEach(i -> attachments.entryOf(i)
        .ifPresent(entry -> valid.putIfAbsent(i.containerId() + "/" + i.ifName(), entry.runtime())));
    return List.copyOf(valid.values());
  }

  /** The configured network and those of journalled attachments, negotiated; unreadable ones are skipped. */
  private List<NetworkConfigList> networksInUse() {
    Map<String, NetworkConfigList> lists = new LinkedHashMap<>();
    try {
      NetworkConfigList configured = configs.load(configuredNetwork);
      lists.put(configured.name(), configured);
    } catch (IgnisException none) {
      // No network configured (yet): nothing to collect there.
    }
    for (AttachmentJournal.Item item : attachments.items()) {
      attachments.entryOf(item).ifPresent(entry -> lists.putIfAbsent(item.network(),
          NetworkConfigList.parseList(entry.config(), cache.pathOf(item.key()).toString())));
    }
    List<NetworkConfigList> negotiated = new ArrayList<>();
    for (NetworkConfigList list : lists.values()) {
      try {
        negotiated.add(runtime.negotiated(list));
      } catch (IgnisException e) {
        log.warn("not sending GC to network '{}': {}", list.name(), e.getMessage());
      }
    }
    return negotiated;
  }
}
