package org.example.sandboxonly;

import dev.ignis.spi.AttachRequest;
import dev.ignis.spi.Attachment;
import dev.ignis.spi.BootstrapRequest;
import dev.ignis.spi.BootstrapResult;
import dev.ignis.spi.Command;
import dev.ignis.spi.CommandResult;
import dev.ignis.spi.DetachReason;
import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.Finding;
import dev.ignis.spi.IgnisException;
import dev.ignis.spi.NetInterface;
import dev.ignis.spi.NetworkPlugin;
import dev.ignis.spi.PluginContext;
import dev.ignis.spi.PortMapping;
import java.util.List;

/**
 * A network plugin that gives a VM a network card that leads nowhere: one end of a veth pair
 * whose other end stays in the same isolated sandbox, with no address and no route. Useful for batch VMs that must not reach any
 * network, and the smallest example of a plugin built against the SPI alone (see the veth
 * example for one with addresses and ports).
 */
public final class SandboxOnlyPlugin implements NetworkPlugin {

  private PluginContext context;

  @Override
  public String id() {
    return "sandbox-only";
  }

  @Override
  public String description() {
    return "Isolated VM: a network card that leads nowhere; no addresses, no ports";
  }

  @Override
  public void init(PluginContext context) {
    this.context = context;
  }

  @Override
  public BootstrapResult bootstrap(BootstrapRequest request) {
    if (!request.action().isEmpty()) {
      throw new IgnisException(ErrorCode.INVALID_ARGUMENT,
          "sandbox-only has no bootstrap action '" + request.action() + "'; run 'bootstrap' without one");
    }
    CommandResult ip = context.commands().run(Command.of("ip", "-V"));
    return BootstrapResult.of(List.of(ip.succeeded()
        ? Finding.ok("iproute2", ip.stdout().strip())
        : Finding.problem("iproute2", "'ip' does not work; install the iproute2 package")));
  }

  /** Refuses what it cannot give, at create, before anything on the host changes (attach checks again). */
  @Override
  public void validate(AttachRequest request) {
    if (!request.ports().isEmpty()) {
      throw noPorts();
    }
    if (!request.requestedIps().isEmpty()) {
      throw new IgnisException(ErrorCode.NOT_SUPPORTED, "sandbox-only gives VMs no addresses; drop --ip");
    }
    if (!request.options().isEmpty()) {
      throw new IgnisException(ErrorCode.INVALID_ARGUMENT, "sandbox-only takes no --net-opt options; drop them");
    }
  }

  @Override
  public Attachment attach(AttachRequest request) {
    validate(request);
    if (request.netnsPath().isEmpty()) {
      throw new IgnisException(ErrorCode.INVALID_NETNS, "sandbox-only needs the runtime to make the sandbox netns");
    }
    String name = request.interfaceName();
    // One ip command makes the pair with its MAC, or nothing (so nothing to undo when it fails);
    // the peer's name only has to be unique inside this sandbox. Deleting one end deletes both.
    String peer = ("v-" + name).substring(0, Math.min(15, name.length() + 2));
    List<String> add = new java.util.ArrayList<>(List.of("ip", "link", "add", name));
    if (!request.mac().isEmpty()) {
      add.addAll(List.of("address", request.mac()));
    }
    add.addAll(List.of("type", "veth", "peer", "name", peer));
    context.commands().run(Command.of(add).inNetns(request.netnsPath())).orThrow(ErrorCode.INVALID_NETNS);
    context.commands().run(Command.of("ip", "-batch", "-").inNetns(request.netnsPath())
        .withStdin("link set " + peer + " up\nlink set " + name + " up\n")).orThrow(ErrorCode.INVALID_NETNS);
    return Attachment.builder(id(), request)
        .addInterface(NetInterface.of(name, request.mac(), request.netnsPath(), List.of()))
        .build();
  }

  @Override
  public List<PortMapping> mapPorts(Attachment attachment, List<PortMapping> wanted) {
    if (!wanted.isEmpty()) {
      throw noPorts();
    }
    return List.of();
  }

  @Override
  public void detach(Attachment attachment, DetachReason reason) {
    // Idempotent: a link already gone (or a sandbox already removed) is fine.
    if (!attachment.guestInterface().isEmpty() && java.nio.file.Files.exists(java.nio.file.Path.of(attachment.netnsPath()))) {
      context.commands().run(Command.of("ip", "link", "delete", attachment.guestInterface())
          .inNetns(attachment.netnsPath()));
    }
  }

  private static IgnisException noPorts() {
    return new IgnisException(ErrorCode.NOT_SUPPORTED,
        "sandbox-only gives VMs no network, so it cannot publish ports; drop -p or use --network-plugin cni");
  }
}
