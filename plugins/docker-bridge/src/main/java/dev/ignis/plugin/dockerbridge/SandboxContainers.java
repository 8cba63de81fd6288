package dev.ignis.plugin.dockerbridge;

import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.InternetProtocol;
import com.github.dockerjava.api.model.Ports;
import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import dev.ignis.spi.PortMapping;
import dev.ignis.spi.VmRef;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Sandbox containers on Docker's default bridge: one per running VM, named {@code ignis-<vm id>}
 * and labelled with the VM and with the Ignis installation that made it (its owner), so that
 * Ignis only ever removes containers it created.
 */
final class SandboxContainers {

  static final String LABEL_VM_ID = "dev.ignis.vm.id";
  static final String LABEL_VM_NAME = "dev.ignis.vm.name";
  static final String LABEL_OWNER = "dev.ignis.owner";
  static final String LABEL_PLUGIN = "dev.ignis.plugin";

  private final DockerEngine engine;
  private final String owner;

  SandboxContainers(DockerEngine engine, String owner) {
    this.engine = engine;
    this.owner = owner;
  }

  static String nameOf(VmRef vm) {
    return "ignis-" + vm.id();
  }

  /**
   * Creates and starts the VM's sandbox on the default bridge with its port bindings. A sandbox
   * of the same VM left by a crash is replaced; a container of that name Ignis did not create
   * is refused. If the start fails the container is removed again.
   */
  InspectContainerResponse createAndStart(VmRef vm, String image, String mac, List<PortMapping> ports) {
    String name = nameOf(vm);
    Optional<InspectContainerResponse> existing = inspect(name);
    if (existing.isPresent()) {
      if (!isOurs(existing.get(), vm.id())) {
        throw new IgnisException(ErrorCode.ALREADY_EXISTS, "a container named " + name + " that Ignis did not create"
            + " exists in Docker (id " + shortId(existing.get().getId()) + "); rename or remove it, then start VM '"
            + vm.name() + "' again");
      }
      remove(existing.get().getId());
    }
    String id = engine.call("create the sandbox container " + name, () -> create(vm, name, image, mac, ports)).getId();
    try {
      engine.client().startContainerCmd(id).exec();
      return inspect(id).orElseThrow(() -> new IgnisException(ErrorCode.PLUGIN_FAILED,
          "the sandbox container " + name + " vanished right after it started"));
    } catch (RuntimeException e) {
      IgnisException failure = startFailure(name, e);
      try {
        remove(id);
      } catch (RuntimeException undo) {
        failure.addSuppressed(undo);
      }
      throw failure;
    }
  }

  private com.github.dockerjava.api.command.CreateContainerResponse create(VmRef vm, String name, String image,
      String mac, List<PortMapping> ports) {
    Ports bindings = new Ports();
    List<ExposedPort> exposed = new java.util.ArrayList<>();
    for (PortMapping port : ports) {
      ExposedPort target = new ExposedPort(port.vmPort(), InternetProtocol.parse(port.protocol().label()));
      exposed.add(target);
      bindings.bind(target, Ports.Binding.bindIpAndPort(port.hostIp(), port.hostPort()));
    }
    CreateContainerCmd command = engine.client().createContainerCmd(image)
        .withName(name)
        .withHostName(hostnameOf(vm))
        .withCmd(SandboxImage.COMMAND)
        .withStopSignal("SIGTERM")
        .withLabels(Map.of(LABEL_VM_ID, vm.id(), LABEL_VM_NAME, vm.name(), LABEL_OWNER, owner,
            LABEL_PLUGIN, "docker-bridge"))
        .withExposedPorts(exposed)
        .withHostConfig(HostConfig.newHostConfig().withNetworkMode("bridge").withPortBindings(bindings));
    if (!mac.isEmpty()) {
      command.withMacAddress(mac);
    }
    return command.exec();
  }

  /** The container, if Docker has one by that name or id. */
  Optional<InspectContainerResponse> inspect(String nameOrId) {
    try {
      return Optional.of(engine.client().inspectContainerCmd(nameOrId).exec());
    } catch (NotFoundException e) {
      return Optional.empty();
    } catch (RuntimeException e) {
      throw DockerFailures.translate(engine.host(), "inspect container " + nameOrId, e);
    }
  }

  /** Removes the VM's sandbox if it is there and ours; returns true if one was removed. */
  boolean removeSandboxOf(String vmId) {
    Optional<InspectContainerResponse> found = inspect("ignis-" + vmId);
    if (found.isEmpty() || !isOurs(found.get(), vmId)) {
      return false;
    }
    remove(found.get().getId());
    return true;
  }

  /** Every container this installation made, running or not. */
  List<Container> listOwned() {
    return engine.call("list sandbox containers", () -> engine.client().listContainersCmd().withShowAll(true)
        .withLabelFilter(Map.of(LABEL_OWNER, owner)).exec());
  }

  /** Stops and removes a container; one already gone is fine. */
  void remove(String id) {
    try {
      engine.client().removeContainerCmd(id).withForce(true).withRemoveVolumes(true).exec();
    } catch (NotFoundException e) {
      // already gone
    } catch (RuntimeException e) {
      if (e instanceof DockerException docker && DockerFailures.daemonMessage(docker).contains("already in progress")) {
        return; // Docker is removing it already
      }
      throw DockerFailures.translate(engine.host(), "remove sandbox container " + shortId(id), e);
    }
  }

  boolean isOurs(InspectContainerResponse container, String vmId) {
    Map<String, String> labels = container.getConfig() == null || container.getConfig().getLabels() == null
        ? Map.of() : container.getConfig().getLabels();
    return owner.equals(labels.get(LABEL_OWNER)) && vmId.equals(labels.get(LABEL_VM_ID));
  }

  private IgnisException startFailure(String name, RuntimeException e) {
    if (e instanceof DockerException docker) {
      String message = DockerFailures.daemonMessage(docker);
      OptionalInt port = DockerFailures.portInUse(message);
      if (port.isPresent()) {
        return new IgnisException(ErrorCode.BUSY, "host port " + port.getAsInt() + " is already in use on this host;"
            + " pick another port for -p", e);
      }
    }
    return DockerFailures.translate(engine.host(), "start the sandbox container " + name, e);
  }

  /** A host name Docker accepts: the VM name where it is one, else the container name. */
  private static String hostnameOf(VmRef vm) {
    return vm.name().matches("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?") ? vm.name() : nameOf(vm);
  }

  static String shortId(String id) {
    return id == null ? "?" : id.substring(0, Math.min(12, id.length()));
  }
}
