package dev.ignis.plugin.dockerbridge;

import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.Container;
import dev.ignis.spi.AttachRequest;
import dev.ignis.spi.Attachment;
import dev.ignis.spi.BootstrapRequest;
import dev.ignis.spi.BootstrapResult;
import dev.ignis.spi.Command;
import dev.ignis.spi.DetachReason;
import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.GcRequest;
import dev.ignis.spi.IgnisException;
import dev.ignis.spi.NetworkPlugin;
import dev.ignis.spi.PluginContext;
import dev.ignis.spi.PortMapping;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The docker-bridge network plugin, Ignite's legacy mode (deprecated): each VM's sandbox is a
 * container on Docker's default bridge, made through the Docker Engine API; the VM takes over
 * the container's eth0 (address, MAC, gateway from Docker) and its ports are Docker port
 * bindings. Docker only assigns addresses itself, so static IPs are refused; ports are fixed
 * while the VM runs.
 */
public final class DockerBridgePlugin implements NetworkPlugin {

  static final String ID = "docker-bridge";

  private PluginContext context;
  private DockerSettings settings;
  private SandboxImage image;
  private SandboxRecords records;
  private String owner;

  @Override
  public String id() {
    return ID;
  }

  @Override
  public String description() {
    return "Docker's default bridge (legacy, deprecated: use cni)";
  }

  @Override
  public boolean bringsOwnSandbox() {
    return true;
  }

  @Override
  public void init(PluginContext pluginContext) {
    this.context = pluginContext;
    this.settings = DockerSettings.from(pluginContext);
    this.image = new SandboxImage(settings, pluginContext.stateDir());
    this.records = new SandboxRecords(pluginContext.stateDir());
    this.owner = pluginContext.stateDir().toAbsolutePath().normalize().toString();
  }

  @Override
  public BootstrapResult bootstrap(BootstrapRequest request) {
    deprecationNotice();
    if (!request.action().isEmpty()) {
      throw new IgnisException(ErrorCode.INVALID_ARGUMENT, "the docker-bridge plugin has no bootstrap action '"
          + request.action() + "'; run 'runtime --network-plugin docker-bridge bootstrap'");
    }
    return new DockerBootstrap(settings, image).run();
  }

  /**
   * Refuses what Docker's default bridge cannot do, at create: static addresses and options.
   * Addresses kept from last time are not asked for: Docker assigns them itself.
   */
  @Override
  public void validate(AttachRequest request) {
    if (!request.requestedIps().isEmpty()) {
      throw new IgnisException(ErrorCode.NOT_SUPPORTED, "docker-bridge cannot give VM '" + request.vm().name()
          + "' the address " + String.join(", ", request.requestedIps()) + ": Docker's default bridge assigns"
          + " addresses itself; use --network-plugin cni for static IPs");
    }
    if (!request.options().isEmpty()) {
      throw new IgnisException(ErrorCode.INVALID_ARGUMENT, "docker-bridge takes no --net-opt options (got "
          + String.join(", ", request.options().keySet()) + "); drop them");
    }
  }

  @Override
  public Attachment attach(AttachRequest request) {
    deprecationNotice();
    validate(request);
    try (DockerEngine engine = DockerEngine.connect(settings)) {
      image.ensure(engine);
      records.add(request.vm().id());
      try {
        InspectContainerResponse container = new SandboxContainers(engine, owner)
            .createAndStart(request.vm(), image.name(), request.mac(), request.ports());
        return SandboxNetwork.attachment(ID, request.vm(), container, request.ports());
      } catch (RuntimeException e) {
        undoAttach(engine, request.vm().id(), e);
        throw e;
      }
    }
  }

  private void undoAttach(DockerEngine engine, String vmId, RuntimeException failure) {
    try {
      new SandboxContainers(engine, owner).removeSandboxOf(vmId);
      records.remove(vmId);
    } catch (RuntimeException undo) {
      failure.addSuppressed(undo); // the record stays: detach or gc finish the job
    }
  }

  /**
   * Docker fixes a container's port bindings when it starts, and the VM runs inside it, so the
   * ports of a running VM cannot change: the same set is fine, another is refused.
   */
  @Override
  public List<PortMapping> mapPorts(Attachment attachment, List<PortMapping> wanted) {
    deprecationNotice();
    if (new HashSet<>(wanted).equals(new HashSet<>(attachment.ports()))) {
      return attachment.ports();
    }
    throw new IgnisException(ErrorCode.NOT_SUPPORTED, "docker-bridge cannot change ports of a running VM; stop and"
        + " start it ('runtime stop " + attachment.vm().name() + "', then 'runtime start " + attachment.vm().name()
        + "'), its new ports apply then");
  }

  /** Removes the VM's sandbox container; one already gone, or never made, is fine. */
  @Override
  public void detach(Attachment attachment, DetachReason reason) {
    String vmId = attachment.vm().id();
    if (!records.contains(vmId)) {
      return; // no sandbox was ever made for it, or it is gone already
    }
    deprecationNotice();
    try (DockerEngine engine = DockerEngine.connect(settings)) {
      new SandboxContainers(engine, owner).removeSandboxOf(vmId);
    } catch (IgnisException e) {
      throw new IgnisException(e.code(), "cannot remove the sandbox of VM '" + attachment.vm().name() + "': "
          + e.getMessage() + " (then run 'runtime gc')", e);
    }
    records.remove(vmId);
  }

  /** True while the VM's sandbox container is there and running, with the guest's interface in it. */
  @Override
  public boolean isIntact(Attachment attachment) {
    boolean running;
    try (DockerEngine engine = DockerEngine.connect(settings)) {
      SandboxContainers sandboxes = new SandboxContainers(engine, owner);
      running = sandboxes.inspect(SandboxContainers.nameOf(attachment.vm()))
          .filter(container -> sandboxes.isOurs(container, attachment.vm().id()))
          .map(container -> container.getState() != null && Boolean.TRUE.equals(container.getState().getRunning()))
          .orElse(false);
    }
    return running && !attachment.guestInterface().isEmpty() && context.commands()
        .run(Command.of("ip", "link", "show", "dev", attachment.guestInterface()).inNetns(attachment.netnsPath()))
        .succeeded();
  }

  /**
   * Removes sandbox containers this installation made whose VM holds no network any more, and
   * their records. Containers Ignis did not create, or another installation did, are never
   * touched. Does not ask Docker at all when no sandbox was ever recorded.
   */
  @Override
  public List<String> gc(GcRequest request) {
    Set<String> liveVmIds = request.networkHoldingVmIds();
    List<String> recorded = records.vmIds();
    if (recorded.isEmpty()) {
      return List.of();
    }
    List<String> reclaimed = new ArrayList<>();
    try (DockerEngine engine = DockerEngine.connect(settings)) {
      SandboxContainers sandboxes = new SandboxContainers(engine, owner);
      for (Container container : sandboxes.listOwned()) {
        String vmId = container.getLabels().get(SandboxContainers.LABEL_VM_ID);
        if (vmId != null && !liveVmIds.contains(vmId)) {
          sandboxes.remove(container.getId());
          reclaimed.add("removed sandbox container " + String.join(",", container.getNames()).replace("/", "")
              + " of VM " + container.getLabels().getOrDefault(SandboxContainers.LABEL_VM_NAME, vmId)
              + ", which holds no network any more");
        }
      }
    }
    for (String vmId : recorded) {
      if (!liveVmIds.contains(vmId)) {
        records.remove(vmId);
      }
    }
    return reclaimed;
  }

  private void deprecationNotice() {
    if (settings.deprecationNotice()) { // said once per command by the runtime
      context.notice("docker-bridge is deprecated (Ignite's legacy mode); use --network-plugin cni"
          + " (silence this with plugin.docker-bridge.deprecation-notice=false)");
    }
  }
}
