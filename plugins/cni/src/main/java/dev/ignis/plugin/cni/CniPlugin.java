package dev.ignis.plugin.cni;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ignis.spi.AttachRequest;
import dev.ignis.spi.Attachment;
import dev.ignis.spi.BootstrapRequest;
import dev.ignis.spi.BootstrapResult;
import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import dev.ignis.spi.NetworkPlugin;
import dev.ignis.spi.PluginContext;
import dev.ignis.spi.PortMapping;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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
 * CNI_ARGS IP}); ports go through the plugins with the {@code portMappings} capability.
 */
public final class CniPlugin implements NetworkPlugin {

  private static final String NETWORK = "network";
  private static final String IF_NAME = "ifName";

  private CniSettings settings;
  private NetworkConfigs configs;
  private CniRuntime runtime;
  private ResultCache cache;
  private AttachmentJournal journal;
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
  public Attachment attach(AttachRequest request) {
    if (request.netnsPath().isEmpty()) {
      throw new IgnisException(ErrorCode.INVALID_NETNS, "the cni plugin needs the VM's sandbox netns");
    }
    NetworkConfigList list = network();
    if (!request.ports().isEmpty() && !CniRuntime.declares(list, "portMappings")) {
      throw new IgnisException(ErrorCode.NOT_SUPPORTED, "network '" + list.name() + "' (" + list.origin()
          + ") has no plugin with the portMappings capability; drop -p or add portmap to the network");
    }
    HostPorts.checkFree(request.ports(), List.of());
    runtime.status(list);
    RuntimeConf conf = runtimeConf(list, request);
    ResultCache.Entry intent = new ResultCache.Entry(list.name(), list.source(), conf, null);
    AttachmentJournal.Item item = AttachmentJournal.Item.of(intent);
    JsonNode result;
    try (AttachmentJournal.Progress progress = journal.begin(intent)) {
      result = runtime.add(list, conf, progress);
    } catch (IgnisException e) {
      if (e.getSuppressed().length == 0) {
        journal.forget(item); // undone completely
      }
      throw e;
    }
    CniResults parsed = CniResults.parse(result, conf.ifName(), request.netnsPath());
    return new Attachment(id(), request.vm(), request.netnsPath(), parsed.interfaces(), parsed.routes(), parsed.dns(),
        request.ports(), Map.of(NETWORK, list.name(), IF_NAME, conf.ifName()));
  }

  @Override
  public List<PortMapping> mapPorts(Attachment attachment, List<PortMapping> wanted) {
    if (new HashSet<>(wanted).equals(new HashSet<>(attachment.ports()))) {
      return attachment.ports();
    }
    String key = itemOf(attachment).map(AttachmentJournal.Item::key).orElse("(none)");
    ResultCache.Entry entry = cache.read(key).orElseThrow(() -> new IgnisException(ErrorCode.UNKNOWN_CONTAINER,
        "no CNI cache entry " + cache.pathOf(key) + " for VM " + attachment.vm() + "; restart the VM to reattach it"));
    NetworkConfigList list = NetworkConfigList.parseList(entry.config(), cache.pathOf(key).toString());
    List<ObjectNode> portPlugins = list.plugins().stream()
        .filter(p -> p.path("capabilities").path("portMappings").asBoolean(false)).toList();
    if (portPlugins.isEmpty()) {
      throw new IgnisException(ErrorCode.NOT_SUPPORTED, "network '" + list.name()
          + "' has no plugin with the portMappings capability; its VMs cannot publish ports");
    }
    HostPorts.checkFree(wanted, attachment.ports());
    RuntimeConf before = entry.runtime();
    RuntimeConf after = before.withCapability("portMappings", portMappingsJson(wanted));
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
    return wanted;
  }

  @Override
  public void detach(Attachment attachment) {
    Optional<AttachmentJournal.Item> journalled = itemOf(attachment);
    if (journalled.isEmpty()) {
      return; // never attached: the journal entry is written before anything changes
    }
    AttachmentJournal.Item item = journalled.get();
    Optional<ResultCache.Entry> entry = entryOf(item);
    if (entry.isPresent()) {
      NetworkConfigList list = NetworkConfigList.parseList(entry.get().config(), cache.pathOf(item.key()).toString());
      runtime.del(list, withLiveNetns(entry.get().runtime()), entry.get().result());
    }
    journal.forget(item);
  }

  @Override
  public List<String> gc(Set<String> liveVmIds) {
    List<String> reclaimed = new ArrayList<>();
    for (AttachmentJournal.Item item : journal.items()) {
      if (liveVmIds.contains(item.containerId())) {
        continue;
      }
      Optional<ResultCache.Entry> entry = entryOf(item);
      if (entry.isPresent()) {
        NetworkConfigList list = NetworkConfigList.parseList(entry.get().config(), cache.pathOf(item.key()).toString());
        runtime.del(list, withLiveNetns(entry.get().runtime()), entry.get().result());
        reclaimed.add("deleted the attachment of VM " + item.containerId() + " to network '" + item.network() + "'");
      }
      journal.forget(item);
    }
    return reclaimed;
  }

  /** The cache entry of an attachment, or what the journal recorded of an ADD that did not finish. */
  private Optional<ResultCache.Entry> entryOf(AttachmentJournal.Item item) {
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

  /** The network, installing the default one first into an empty conf dir. */
  private NetworkConfigList network() {
    return configs.loadOrInstallDefault(settings.network());
  }

  /**
   * The journalled attachment of a VM: from the attachment's plugin state, or, when the
   * runtime crashed before it could store the attachment, from the journal alone.
   */
  private Optional<AttachmentJournal.Item> itemOf(Attachment attachment) {
    String network = attachment.pluginState().get(NETWORK);
    if (network != null) {
      String ifName = attachment.pluginState().getOrDefault(IF_NAME, AttachRequest.DEFAULT_INTERFACE);
      return Optional.of(new AttachmentJournal.Item(network, attachment.vm().id(), ifName));
    }
    return journal.items().stream().filter(i -> i.containerId().equals(attachment.vm().id())).findFirst();
  }

  /** CNI says DEL gets the netns path if it still exists, else an empty one. */
  private static RuntimeConf withLiveNetns(RuntimeConf conf) {
    if (conf.netnsPath().isEmpty() || Files.exists(Path.of(conf.netnsPath()))) {
      return conf;
    }
    return new RuntimeConf(conf.containerId(), "", conf.ifName(), conf.args(), conf.capabilityArgs());
  }

  private static RuntimeConf runtimeConf(NetworkConfigList list, AttachRequest request) {
    List<List<String>> args = new ArrayList<>();
    args.add(List.of("IgnoreUnknown", "1"));
    ObjectNode capabilities = Json.MAPPER.createObjectNode();
    capabilities.set("portMappings", portMappingsJson(request.ports()));
    if (!request.staticIps().isEmpty()) {
      ArrayNode ips = capabilities.putArray("ips");
      request.staticIps().forEach(ips::add);
      if (!CniRuntime.declares(list, "ips")) {
        args.add(List.of("IP", String.join(",", request.staticIps())));
      }
    }
    if (!request.mac().isEmpty()) {
      capabilities.put("mac", request.mac());
      if (!CniRuntime.declares(list, "mac")) {
        args.add(List.of("MAC", request.mac()));
      }
    }
    return new RuntimeConf(request.vm().id(), request.netnsPath(), request.interfaceName(), args, capabilities);
  }

  private static ArrayNode portMappingsJson(List<PortMapping> ports) {
    ArrayNode array = Json.MAPPER.createArrayNode();
    for (PortMapping port : ports) {
      ObjectNode mapping = array.addObject()
          .put("hostPort", port.hostPort())
          .put("containerPort", port.vmPort())
          .put("protocol", port.protocol().label());
      if (!PortMapping.ANY_HOST_IP.equals(port.hostIp())) {
        mapping.put("hostIP", port.hostIp());
      }
    }
    return array;
  }
}
