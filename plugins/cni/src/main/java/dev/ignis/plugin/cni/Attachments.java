package dev.ignis.plugin.cni;

import dev.ignis.spi.IgnisException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * This installation's attachments as the journal and libcni's cache hold them together: the
 * cache entry of a finished ADD, else what the journal recorded of one that did not finish;
 * their DEL; their network, as its plugins are called.
 */
final class Attachments {

  private final AttachmentJournal journal;
  private final ResultCache cache;
  private final CniRuntime runtime;
  private final MasqueradeLeftovers leftovers;
  private final LoopbackProxies proxies;

  Attachments(AttachmentJournal journal, ResultCache cache, CniRuntime runtime, MasqueradeLeftovers leftovers,
      LoopbackProxies proxies) {
    this.journal = journal;
    this.cache = cache;
    this.runtime = runtime;
    this.leftovers = leftovers;
    this.proxies = proxies;
  }

  LoopbackProxies proxies() {
    return proxies;
  }

  List<AttachmentJournal.Item> items() {
    return journal.items();
  }

  /** The cache entry of an attachment, or what the journal recorded of an ADD that did not finish. */
  Optional<ResultCache.Entry> entryOf(AttachmentJournal.Item item) {
    try {
      Optional<ResultCache.Entry> cached = cache.read(item.key());
      if (cached.isPresent()) {
        return cached;
      }
    } catch (IgnisException unreadable) {
      // Cut short by a crash while it was written: the journal has the same.
    }
    return journal.recover(item);
  }

  /** The network an entry was made on, from the entry's own copy of it, negotiated. */
  NetworkConfigList networkOf(AttachmentJournal.Item item, ResultCache.Entry entry) {
    return runtime.negotiated(NetworkConfigList.parseList(entry.config(), cache.pathOf(item.key()).toString()));
  }

  /**
   * Its IPv6 loopback ports' proxies stopped, DEL of a journalled attachment, then what the
   * bridge plugin's DEL could not find of its masquerade rules; the journal entry goes only once
   * all succeeded.
   */
  void delete(AttachmentJournal.Item item) {
    proxies.stopAll(item);
    Optional<ResultCache.Entry> entry = entryOf(item);
    if (entry.isPresent()) {
      runtime.del(networkOf(item, entry.get()), withLiveNetns(entry.get().runtime()), entry.get().result());
    }
    leftovers.remove(item.network(), item.containerId());
    journal.forget(item);
  }

  /** CNI says DEL gets the netns path if it still exists, else an empty one. */
  private static RuntimeConf withLiveNetns(RuntimeConf conf) {
    if (conf.netnsPath().isEmpty() || Files.exists(Path.of(conf.netnsPath()))) {
      return conf;
    }
    return new RuntimeConf(conf.containerId(), "", conf.ifName(), conf.args(), conf.capabilityArgs());
  }
}
