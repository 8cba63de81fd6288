package dev.ignis.plugin.cni;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ignis.spi.AttachRequest;
import dev.ignis.spi.Attachment;
import dev.ignis.spi.BootstrapRequest;
import dev.ignis.spi.BootstrapResult;
import dev.ignis.spi.DetachReason;
import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.GcRequest;
import dev.ignis.spi.IgnisException;
import dev.ignis.spi.NetworkPlugin;
import dev.ignis.spi.PluginContext;
import dev.ignis.spi.PortMapping;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The default network plugin: attaches VM sandboxes to a CNI network by running the real CNI
 * plugin binaries, as containerd and CRI-O do through libcni.
 *
 * <p>The network is the first config in the conf dir (or the one named by the {@code network}
 * setting); an empty conf dir gets Ignite's default network. VMs keep their MAC (the {@code
 * mac} capability or {@code CNI_ARGS MAC}) and may ask for static IPs ({@code ips} or {@code
 * CNI_ARGS IP}); ports go through the plugins with the {@code portMappings} capability, except
 * those on IPv6 loopback, which a proxy forwards ({@link LoopbackProxies}).
 */
public final class CniPlugin implements NetworkPlugin {

  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(CniPlugin.class);
  private static final String NETWORK = "network";
  private static final String IF_NAME = "ifName";

  private CniSettings settings;
  private NetworkConfigs configs;
  private CniRuntime runtime;
  private ResultCache cache;
  private AttachmentJournal journal;
  private Attachments attachments;
  private LoopbackProxies proxies;
  private PluginContext context;

  @Override
  public String id() {
    return "cni";
  }

  @Override
  public String description() {
    return "CNI networks (bridge, Flannel, Calico, ...) through the CNI plugin binaries";
  }

  @Override
  public void init(PluginContext pluginContext) {
    this.context = pluginContext;
    this.settings = CniSettings.from(pluginContext);
    this.configs = new NetworkConfigs(settings.confDir());
    this.cache = new ResultCache(settings.cacheDir());
    this.runtime = new CniRuntime(new CniInvoker(pluginContext.commands(), settings), cache);
    this.journal = new AttachmentJournal(pluginContext.stateDir());
    this.proxies = new LoopbackProxies(pluginContext.stateDir());
    this.attachments = new Attachments(journal, cache, runtime, new MasqueradeLeftovers(pluginContext.commands()),
        proxies);
  }

  @Override
  public BootstrapResult bootstrap(BootstrapRequest request) {
    if (!request.action().isEmpty()) {
      throw new IgnisException(ErrorCode.INVALID_ARGUMENT, "the cni plugin has no bootstrap action '"
          + request.action() + "'; run 'runtime --network-plugin cni bootstrap'");
    }
    return new CniBootstrap(settings, configs, runtime, context.commands()).run();
  }

  @Override
  public void validate(AttachRequest request) {
    AttachPlan.validate(configs.peek(networkOf(request)), request);
  }

  @Override
  public Attachment attach(AttachRequest request) {
    if (request.netnsPath().isEmpty()) {
      throw new IgnisException(ErrorCode.INVALID_NETNS, "the cni plugin needs the VM's sandbox netns");
    }
    NetworkConfigList list = runtime.negotiated(configs.loadOrInstallDefault(networkOf(request)));
    RuntimeConf conf = AttachPlan.runtimeConf(list, request); // checks the request too
    list.binaries().forEach(type -> runtime.invoker().find(type, list.name()));
    runtime.status(list);
    JsonNode result = add(list, conf);
    CniResults parsed = CniResults.parse(result, conf.ifName(), request.netnsPath());
    AttachmentJournal.Item item = new AttachmentJournal.Item(list.name(), conf.containerId(), conf.ifName());
    try {
      proxies.apply(item, request.ports(), proxyTarget(parsed, conf.ifName(), request.ports()));
    } catch (RuntimeException e) { // whatever failed after ADD: undone here, not left to gc
      try {
        attachments.delete(item);
      } catch (RuntimeException undo) {
        e.addSuppressed(undo); // the journal keeps it for gc
      }
      throw e;
    }
    return Attachment.builder(id(), request).guestInterface(conf.ifName()).interfaces(parsed.interfaces())
        .routes(parsed.routes()).dns(parsed.dns()).putPluginState(NETWORK, list.name())
        .putPluginState(IF_NAME, conf.ifName()).build();
  }

  /**
   * The chain's ADD, journalled; run again, from a fresh journal, when a plugin only lost a
   * race over iptables ({@link IptablesRace}) and the failed ADD was undone completely.
   */
  private JsonNode add(NetworkConfigList list, RuntimeConf conf) {
    ResultCache.Entry intent = new ResultCache.Entry(list.name(), list.source(), conf, null);
    AttachmentJournal.Item item = AttachmentJournal.Item.of(intent);
    for (int attempt = 1; ; attempt++) {
      try (AttachmentJournal.Progress progress = journal.begin(intent)) {
        return runtime.add(list, conf, progress);
      } catch (IgnisException e) {
        if (e.getSuppressed().length > 0) {
          throw e; // not undone: the journal keeps it for gc
        }
        journal.forget(item); // undone completely
        if (attempt >= IptablesRace.ATTEMPTS || !IptablesRace.lost(e)) {
          throw e;
        }
        log.info("VM {}: network '{}': a plugin lost a race over iptables with another process; attaching again ({})",
            conf.containerId(), list.name(), e.getMessage());
        try {
          Thread.sleep(java.util.concurrent.ThreadLocalRandom.current().nextLong(20, 100) * attempt); // apart this time
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
  }

  /**
   * The VM address an IPv6 loopback port's proxy connects to: the interface's IPv6 address, else
   * its IPv4 one (a proxy crosses families); empty when no port needs one.
   */
  private static String proxyTarget(CniResults result, String ifName, List<PortMapping> ports) {
    if (ports.stream().noneMatch(LoopbackProxies::isProxied)) {
      return "";
    }
    List<String> ips = result.interfaces().stream().filter(i -> i.name().equals(ifName))
        .flatMap(i -> i.ips().stream()).map(ip -> AttachPlan.plain(ip.address())).toList();
    return ips.stream().filter(ip -> ip.contains(":")).findFirst().or(() -> ips.stream().findFirst())
        .orElseThrow(() -> new IgnisException(ErrorCode.INVALID_NETWORK_CONFIG, "port "
            + ports.stream().filter(LoopbackProxies::isProxied).findFirst().orElseThrow() + ": the network gave interface "
            + ifName + " no address to forward it to"));
  }

  @Override
  public List<PortMapping> mapPorts(Attachment attachment, List<PortMapping> wanted) {
    if (new HashSet<>(wanted).equals(new HashSet<>(attachment.ports()))) {
      return attachment.ports();
    }
    AttachmentJournal.Item item = itemOf(attachment).orElseThrow(() -> notAttached(attachment));
    ResultCache.Entry entry = cache.read(item.key()).orElseThrow(() -> notAttached(attachment));
    LoopbackProxies.checkAvailable(wanted);
    String target = proxyTarget(CniResults.parse(entry.result(), item.ifName(), entry.runtime().netnsPath()),
        item.ifName(), wanted);
    proxies.apply(item, wanted, target); // changes nothing if a proxy cannot start
    try {
      if (!new HashSet<>(LoopbackProxies.forwardedByPortmap(wanted))
          .equals(new HashSet<>(LoopbackProxies.forwardedByPortmap(attachment.ports())))) {
        mapPortmapPorts(item, entry, wanted);
      }
    } catch (IgnisException e) {
      try {
        proxies.apply(item, attachment.ports(), target);
      } catch (IgnisException restore) {
        e.addSuppressed(restore);
      }
      throw e;
    }
    return wanted;
  }

  /** portmap's share of a live port change: DEL with the old mappings, ADD with the new, for each port plugin. */
  private void mapPortmapPorts(AttachmentJournal.Item item, ResultCache.Entry entry, List<PortMapping> wanted) {
    NetworkConfigList list = attachments.networkOf(item, entry);
    List<ObjectNode> portPlugins = LivePorts.plugins(list, journal.results(item));
    RuntimeConf before = entry.runtime();
    RuntimeConf after = before.withCapability("portMappings", AttachPlan.portMappingsJson(wanted));
    CniInvoker invoker = runtime.invoker();
    for (ObjectNode plugin : portPlugins) {
      invoker.invoke("DEL", CniRuntime.pluginConfig(list, plugin, before, entry.result()), before, list.name());
      try {
        invoker.invoke("ADD", CniRuntime.pluginConfig(list, plugin, after, entry.result()), after, list.name());
      } catch (IgnisException e) {
        try {
          invoker.invoke("ADD", CniRuntime.pluginConfig(list, plugin, before, entry.result()), before, list.name());
        } catch (IgnisException restore) {
          e.addSuppressed(restore);
        }
        throw e;
      }
    }
    cache.write(entry.withRuntime(after));
  }

  private IgnisException notAttached(Attachment attachment) {
    return new IgnisException(ErrorCode.UNKNOWN_CONTAINER, "no CNI cache entry for VM " + attachment.vm() + " in "
        + settings.cacheDir() + "; restart the VM to reattach it");
  }

  @Override
  public void detach(Attachment attachment, DetachReason reason) {
    // CNI knows no stop: a stopped VM asks host-local for its addresses again (AttachRequest.keptIps).
    Optional<AttachmentJournal.Item> journalled = itemOf(attachment);
    if (journalled.isEmpty()) {
      return; // never attached: the journal entry is written before anything changes
    }
    attachments.delete(journalled.get());
  }

  /** CHECK of the chain, then whether every IPv6 loopback port's proxy runs. */
  @Override
  public void check(Attachment attachment) {
    AttachmentJournal.Item item = checkChain(attachment);
    List<PortMapping> running = proxies.running(item);
    attachment.ports().stream().filter(LoopbackProxies::isProxied).filter(port -> !running.contains(port)).findFirst()
        .ifPresent(port -> {
          throw new IgnisException(ErrorCode.PLUGIN_LIMITED_CONNECTIVITY, "network '" + item.network() + "': the proxy"
              + " of port " + port + " of VM " + attachment.vm() + " is not running; remove the port and add it again,"
              + " or restart the VM");
        });
  }

  private AttachmentJournal.Item checkChain(Attachment attachment) {
    AttachmentJournal.Item item = itemOf(attachment).orElseThrow(() -> notAttached(attachment));
    ResultCache.Entry entry = cache.read(item.key()).orElseThrow(() -> notAttached(attachment));
    if (!entry.runtime().netnsPath().isEmpty() && !Files.exists(Path.of(entry.runtime().netnsPath()))) {
      throw new IgnisException(ErrorCode.INVALID_NETNS, "network '" + item.network() + "': the sandbox netns "
          + entry.runtime().netnsPath() + " of VM " + attachment.vm() + " is gone");
    }
    NetworkConfigList list = attachments.networkOf(item, entry);
    runtime.check(list, entry.runtime(), entry.result());
    return item;
  }

  /**
   * CHECK says whether the network is as ADD left it; a VM whose CHECK fails is not intact. A
   * port proxy that died does not make it so: the VM keeps its network and its other ports.
   */
  @Override
  public boolean isIntact(Attachment attachment) {
    try {
      checkChain(attachment);
      return true;
    } catch (IgnisException e) {
      log.warn("VM {}: {}", attachment.vm(), e.getMessage());
      return false;
    }
  }

  @Override
  public List<String> gc(GcRequest request) {
    return new CniGarbageCollector(attachments, cache, runtime, configs, settings.network())
        .collect(request.networkHoldingVmIds());
  }

  /** The network the VM chose ({@code --network cni:NAME}), else the one of the settings, else the first. */
  private Optional<String> networkOf(AttachRequest request) {
    return request.network().isEmpty() ? settings.network() : Optional.of(request.network());
  }

  /**
   * The journalled attachment of a VM: from the attachment's plugin state, or, when the
   * runtime crashed before it could store the attachment, from the journal alone.
   */
  private Optional<AttachmentJournal.Item> itemOf(Attachment attachment) {
    String network = attachment.pluginState().get(NETWORK);
    if (network != null) {
      String ifName = attachment.pluginState().getOrDefault(IF_NAME, AttachRequest.FIRST_INTERFACE);
      return Optional.of(new AttachmentJournal.Item(network, attachment.vm().id(), ifName));
    }
    // Of a VM with several networks, the one on the interface the runtime names.
    return journal.items().stream().filter(i -> i.containerId().equals(attachment.vm().id()))
        .filter(i -> attachment.guestInterface().isEmpty() || i.ifName().equals(attachment.guestInterface()))
        .findFirst();
  }
}
