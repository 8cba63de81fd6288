package org.example.vethports;

import dev.ignis.spi.AttachRequest;
import dev.ignis.spi.Attachment;
import dev.ignis.spi.BootstrapRequest;
import dev.ignis.spi.BootstrapResult;
import dev.ignis.spi.Command;
import dev.ignis.spi.CommandResult;
import dev.ignis.spi.DetachReason;
import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.Finding;
import dev.ignis.spi.GcRequest;
import dev.ignis.spi.IgnisException;
import dev.ignis.spi.IpConfig;
import dev.ignis.spi.NetInterface;
import dev.ignis.spi.NetworkPlugin;
import dev.ignis.spi.PluginContext;
import dev.ignis.spi.PortMapping;
import dev.ignis.spi.Route;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A network plugin that gives each VM a veth pair to the host: the sandbox end gets the guest
 * address of a /30 from a pool (setting {@code pool}, default {@value #DEFAULT_POOL}), the host
 * end its gateway, and host ports reach the guest by DNAT. IPv4 only. Written against the SPI
 * alone, and tested with Ignis' plugin test kit.
 */
public final class VethPortsPlugin implements NetworkPlugin {

  static final String DEFAULT_POOL = "10.213.0.0/24";

  private PluginContext context;
  private VethPool pool;
  private DnatRules rules;
  private String tag;

  @Override
  public String id() {
    return "veth-ports";
  }

  @Override
  public String description() {
    return "A veth to the host per VM, a /30 from a pool, host ports by DNAT (IPv4)";
  }

  @Override
  public void init(PluginContext pluginContext) {
    this.context = pluginContext;
    String cidr = pluginContext.setting("pool").orElse(DEFAULT_POOL);
    this.pool = VethPool.of(cidr, pluginContext.stateDir());
    // Host link names and rule comments carry a tag of the pool, so two pools never collide.
    this.tag = String.format("%04x", cidr.hashCode() & 0xffff);
    this.rules = new DnatRules(pluginContext.commands(), tag);
  }

  @Override
  public BootstrapResult bootstrap(BootstrapRequest request) {
    if (!request.action().isEmpty()) {
      throw new IgnisException(ErrorCode.INVALID_ARGUMENT, "veth-ports has no bootstrap action '" + request.action()
          + "'; run 'bootstrap' without one");
    }
    List<Finding> findings = new ArrayList<>();
    for (String tool : List.of("ip", "iptables-restore")) {
      CommandResult version = context.commands().run(Command.of(tool, "-V"));
      findings.add(version.succeeded() ? Finding.ok(tool, version.stdout().strip())
          : Finding.problem(tool, "'" + tool + " -V' fails; install iproute2 and iptables"));
    }
    return BootstrapResult.of(findings);
  }

  @Override
  public void validate(AttachRequest request) {
    if (!request.options().isEmpty()) {
      throw new IgnisException(ErrorCode.INVALID_ARGUMENT, "veth-ports takes no --net-opt options; drop them");
    }
    if (request.requestedIps().size() > 1) {
      throw new IgnisException(ErrorCode.INVALID_ARGUMENT, "veth-ports gives a VM one address; give one --ip");
    }
    for (String ip : request.requestedIps()) {
      if (pool.blockOf(ip.replaceFirst("/30$", "")).isEmpty()) {
        throw new IgnisException(ErrorCode.INVALID_ARGUMENT, "--ip " + ip + " is not a guest address of the"
            + " veth-ports pool (each VM gets the .2 of a /30 block, e.g. 10.213.0.6)");
      }
    }
    for (PortMapping port : request.ports()) {
      if (port.hostIp().contains(":")) {
        throw new IgnisException(ErrorCode.NOT_SUPPORTED, "veth-ports is IPv4 only; publish " + port + " on an"
            + " IPv4 host address");
      }
    }
  }

  @Override
  public Attachment attach(AttachRequest request) {
    validate(request);
    if (request.netnsPath().isEmpty()) {
      throw new IgnisException(ErrorCode.INVALID_NETNS, "veth-ports needs the runtime to make the sandbox netns");
    }
    // The lease is the record of intent: detach and gc find everything below through it.
    VethPool.Lease lease = pool.take(request.vm().id(), request.interfaceName(),
        request.requestedIps().stream().map(ip -> ip.replaceFirst("/30$", "")).findFirst(), request.keptIps());
    try {
      String host = hostLink(lease);
      String mac = request.mac().isEmpty() ? "" : " address " + request.mac();
      run(Command.of("ip", "-batch", "-").withStdin(
          "link add " + host + " type veth peer name " + request.interfaceName() + mac + " netns " + request.netnsPath()
              + "\naddr add " + lease.gateway() + "/30 dev " + host + "\nlink set " + host + " up\n"));
      run(Command.of("ip", "-batch", "-").inNetns(request.netnsPath()).withStdin(
          "addr add " + lease.guest() + "/30 dev " + request.interfaceName() + "\nlink set " + request.interfaceName()
              + " up\nroute add default via " + lease.gateway() + "\n"));
      rules.set(lease, request.ports());
      return Attachment.builder(id(), request)
          .addInterface(NetInterface.of(request.interfaceName(), request.mac(), request.netnsPath(),
              List.of(IpConfig.of(lease.guest() + "/30", lease.gateway()))))
          .addInterface(NetInterface.of(host, "", "", List.of(IpConfig.of(lease.gateway() + "/30"))))
          .addRoute(Route.defaultVia(lease.gateway()))
          .putPluginState("block", String.valueOf(lease.block()))
          .build();
    } catch (RuntimeException e) {
      try {
        teardown(lease);
      } catch (RuntimeException undo) {
        e.addSuppressed(undo);
      }
      throw e;
    }
  }

  @Override
  public List<PortMapping> mapPorts(Attachment attachment, List<PortMapping> wanted) {
    VethPool.Lease lease = pool.find(attachment.vm().id(), attachment.guestInterface())
        .orElseThrow(() -> new IgnisException(ErrorCode.UNKNOWN_CONTAINER, "veth-ports holds no lease for VM "
            + attachment.vm() + "; restart it to attach it again"));
    rules.set(lease, wanted);
    return wanted;
  }

  /** Undoes attach for the interface named, or every network of the VM for a bare attachment. */
  @Override
  public void detach(Attachment attachment, DetachReason reason) {
    for (VethPool.Lease lease : pool.all()) {
      boolean vm = lease.vmId().equals(attachment.vm().id());
      if (vm && (attachment.guestInterface().isEmpty() || lease.ifName().equals(attachment.guestInterface()))) {
        teardown(lease);
      }
    }
  }

  @Override
  public boolean isIntact(Attachment attachment) {
    Optional<VethPool.Lease> lease = pool.find(attachment.vm().id(), attachment.guestInterface());
    return lease.isPresent() && context.commands().run(Command.of("ip", "link", "show", "dev", hostLink(lease.get())))
        .succeeded() && context.commands().run(Command.of("ip", "link", "show", "dev", attachment.guestInterface())
        .inNetns(attachment.netnsPath())).succeeded();
  }

  @Override
  public List<String> gc(GcRequest request) {
    List<String> reclaimed = new ArrayList<>();
    for (VethPool.Lease lease : pool.all()) {
      if (!request.networkHoldingVmIds().contains(lease.vmId())) {
        teardown(lease);
        reclaimed.add("released " + lease.guest() + "/30 and its ports, held for VM " + lease.vmId());
      }
    }
    return reclaimed;
  }

  /** Rules, host link (its peer goes with it), lease: each step fine if already undone. */
  private void teardown(VethPool.Lease lease) {
    rules.remove(lease);
    String host = hostLink(lease);
    if (context.commands().run(Command.of("ip", "link", "show", "dev", host)).succeeded()) {
      run(Command.of("ip", "link", "delete", host));
    }
    pool.release(lease);
  }

  private String hostLink(VethPool.Lease lease) {
    return "vp" + tag + "-" + Integer.toHexString(lease.block());
  }

  private void run(Command command) {
    context.commands().run(command).orThrow(ErrorCode.INVALID_NETNS);
  }
}
