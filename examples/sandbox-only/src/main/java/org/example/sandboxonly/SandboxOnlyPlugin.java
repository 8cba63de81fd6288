package org.example.sandboxonly;

import dev.ignis.spi.AttachRequest;
import dev.ignis.spi.Attachment;
import dev.ignis.spi.BootstrapRequest;
import dev.ignis.spi.BootstrapResult;
import dev.ignis.spi.Command;
import dev.ignis.spi.CommandResult;
import dev.ignis.spi.Dns;
import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.Finding;
import dev.ignis.spi.IgnisException;
import dev.ignis.spi.IpConfig;
import dev.ignis.spi.NetInterface;
import dev.ignis.spi.NetworkPlugin;
import dev.ignis.spi.PluginContext;
import dev.ignis.spi.PortMapping;
import java.util.List;
import java.util.Map;

/**
 * A network plugin that gives a VM an isolated sandbox with nothing but loopback: useful for
 * batch VMs that must not reach any network, and an example of a plugin built against the SPI
 * alone.
 */
public final class SandboxOnlyPlugin implements NetworkPlugin {

  private PluginContext context;

  @Override
  public String id() {
    return "sandbox-only";
  }

  @Override
  public String description() {
    return "Isolated sandbox with loopback only; no ports, no outside traffic";
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
    return new BootstrapResult(List.of(ip.succeeded()
        ? Finding.ok("iproute2", ip.stdout().strip())
        : Finding.problem("iproute2", "'ip' does not work; install the iproute2 package")));
  }

  /** Refuses ports at create, before anything on the host changes (SPI 1.2.0; attach checks again). */
  @Override
  public void validate(AttachRequest request) {
    if (!request.ports().isEmpty()) {
      throw noPorts();
    }
  }

  @Override
  public Attachment attach(AttachRequest request) {
    validate(request);
    if (request.netnsPath().isEmpty()) {
      throw new IgnisException(ErrorCode.INVALID_NETNS, "sandbox-only needs the runtime to make the sandbox netns");
    }
    context.commands().run(Command.of("ip", "link", "set", "lo", "up").inNetns(request.netnsPath()))
        .orThrow(ErrorCode.INVALID_NETNS);
    NetInterface loopback = new NetInterface("lo", "", request.netnsPath(), List.of(new IpConfig("127.0.0.1/8", "")));
    return new Attachment(id(), request.vm(), request.netnsPath(), List.of(loopback), List.of(), Dns.NONE, List.of(),
        Map.of());
  }

  @Override
  public List<PortMapping> mapPorts(Attachment attachment, List<PortMapping> wanted) {
    if (!wanted.isEmpty()) {
      throw noPorts();
    }
    return List.of();
  }

  @Override
  public void detach(Attachment attachment) {
    // Loopback goes away with the sandbox netns, which the runtime removes.
  }

  private static IgnisException noPorts() {
    return new IgnisException(ErrorCode.NOT_SUPPORTED,
        "sandbox-only gives VMs no network, so it cannot publish ports; drop -p or use --network-plugin cni");
  }
}
