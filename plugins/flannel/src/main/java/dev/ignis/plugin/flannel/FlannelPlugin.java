package dev.ignis.plugin.flannel;

import dev.ignis.plugin.cni.CniPlugin;
import dev.ignis.spi.AttachRequest;
import dev.ignis.spi.Attachment;
import dev.ignis.spi.BootstrapRequest;
import dev.ignis.spi.BootstrapResult;
import dev.ignis.spi.CommandRunner;
import dev.ignis.spi.DetachReason;
import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.GcRequest;
import dev.ignis.spi.IgnisException;
import dev.ignis.spi.NetworkPlugin;
import dev.ignis.spi.PluginContext;
import dev.ignis.spi.PortMapping;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The flannel network plugin: VMs on several nodes on one overlay network, with flanneld's
 * etcd layout. {@code bootstrap init|join|cleanup|status} manage the node ({@link
 * FlannelBootstrap}); attach, detach and port mappings are the cni plugin's, reached through a
 * PF4J plugin dependency and run on the node's generated CNI network.
 */
public final class FlannelPlugin implements NetworkPlugin {

  static final String ID = "flannel";

  private FlannelSettings settings;
  private Path stateDir;
  private CommandRunner commands;
  private java.util.function.Consumer<String> notices;
  private CniPlugin cni;
  private Agent agent;

  @Override
  public String id() {
    return ID;
  }

  @Override
  public String description() {
    return "Multi-node overlay (flannel leases in etcd: vxlan, host-gw, udp; or a host's flanneld), VMs attached through cni";
  }

  @Override
  public void init(PluginContext context) {
    this.settings = FlannelSettings.from(context);
    this.stateDir = context.stateDir();
    this.commands = context.commands();
    this.notices = context::notice;
    this.cni = new CniPlugin();
    cni.init(new NodeNetworkContext(context, settings));
    this.agent = new Agent(stateDir, context);
    agent.resume(); // in ignisd: the node's agent runs as its job
  }

  @Override
  public BootstrapResult bootstrap(BootstrapRequest request) {
    return new FlannelBootstrap(settings, stateDir, commands, agent).run(request);
  }

  /** Checks the request against the node's network once the node has one; attach says what is missing. */
  @Override
  public void validate(AttachRequest request) {
    if (new NodeNetworkFiles(settings).present()) {
      cni.validate(request);
    }
  }

  @Override
  public Attachment attach(AttachRequest request) {
    if (!new NodeNetworkFiles(settings).present()) {
      throw new IgnisException(ErrorCode.INVALID_ENVIRONMENT, "this node is not in a flannel network ("
          + settings.conflist() + " is missing); run 'runtime --network-plugin flannel bootstrap init' on the first"
          + " node or 'bootstrap join NODE1' here");
    }
    NodeState.load(stateDir).filter(NodeState::externalAgent).ifPresent(node ->
        new ExternalAgentNode(settings, stateDir, commands).follow(node).ifPresent(move ->
            notices.accept("flannel: " + move.describe(move.staleVms(node)))));
    return rebrand(cni.attach(request), ID);
  }

  @Override
  public List<PortMapping> mapPorts(Attachment attachment, List<PortMapping> wanted) {
    return cni.mapPorts(rebrand(attachment, cni.id()), wanted);
  }

  @Override
  public void detach(Attachment attachment, DetachReason reason) {
    cni.detach(rebrand(attachment, cni.id()), reason);
  }

  @Override
  public void check(Attachment attachment) {
    cni.check(rebrand(attachment, cni.id()));
  }

  @Override
  public boolean isIntact(Attachment attachment) {
    return cni.isIntact(rebrand(attachment, cni.id()));
  }

  @Override
  public List<String> gc(GcRequest request) {
    return cni.gc(request.toBuilder().attachments(request.attachments().stream().map(a -> rebrand(a, cni.id())).toList())
        .build());
  }

  private static Attachment rebrand(Attachment attachment, String pluginId) {
    return Attachment.builder(pluginId, attachment.vm()).netnsPath(attachment.netnsPath())
        .guestInterface(attachment.guestInterface()).interfaces(attachment.interfaces()).routes(attachment.routes())
        .dns(attachment.dns()).ports(attachment.ports()).pluginState(attachment.pluginState()).build();
  }

  /**
   * The cni plugin's view when it works for flannel: its own state dir under flannel's, the
   * node network by name in flannel's CNI conf dir, flannel's cache, binaries and timeout.
   */
  private record NodeNetworkContext(PluginContext flannel, FlannelSettings settings) implements PluginContext {

    @Override
    public Path stateDir() {
      return flannel.stateDir().resolve("cni");
    }

    @Override
    public Optional<String> setting(String key) {
      return switch (key) {
        case "conf-dir" -> Optional.of(settings.cniConfDir().toString());
        case "cache-dir" -> Optional.of(settings.cniCacheDir().toString());
        case "network" -> Optional.of(FlannelSettings.NETWORK_NAME);
        case "bin-path" -> settings.cniBinPath();
        default -> flannel.setting("cni-" + key);
      };
    }

    @Override
    public CommandRunner commands() {
      return flannel.commands();
    }

    @Override
    public void notice(String message) {
      flannel.notice(message);
    }
  }

}
