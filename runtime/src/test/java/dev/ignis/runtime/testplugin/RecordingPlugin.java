package dev.ignis.runtime.testplugin;

import dev.ignis.spi.AttachRequest;
import dev.ignis.spi.Attachment;
import dev.ignis.spi.BootstrapRequest;
import dev.ignis.spi.BootstrapResult;
import dev.ignis.spi.DetachReason;
import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.Finding;
import dev.ignis.spi.GcRequest;
import dev.ignis.spi.IgnisException;
import dev.ignis.spi.IpConfig;
import dev.ignis.spi.NetInterface;
import dev.ignis.spi.NetworkPlugin;
import dev.ignis.spi.PortMapping;
import java.util.ArrayList;
import java.util.List;

/**
 * A hand-written fake network plugin for unit tests of the runtime's own logic: it records
 * the calls it gets and can be told to fail. Also packed into jars by the plugin loading
 * tests, where {@link #description()} reports what its class loader lets it see.
 */
public class RecordingPlugin implements NetworkPlugin {

  public final List<String> calls = new ArrayList<>();
  public boolean failAttach;
  public boolean failMapPorts;
  /** The interface name whose attach fails ({@code eth1}: a VM's second network), or empty. */
  public String failAttachOn = "";
  /** The guest interfaces detach got, in order. */
  public final List<String> detachedInterfaces = new java.util.concurrent.CopyOnWriteArrayList<>();
  /** What attach does instead of its work: "throw" (a bug), "hang", "slow" (2.5 s), "no-interface", "loopback-guest". */
  public String misbehave = "";
  /** The requests attach got, in order. */
  public final List<AttachRequest> requests = new ArrayList<>();
  /** The requests gc got, in order. */
  public final List<GcRequest> gcRequests = new ArrayList<>();

  @Override
  public String id() {
    return "recording";
  }

  @Override
  public String description() {
    try {
      Class.forName("com.fasterxml.jackson.databind.ObjectMapper", false, getClass().getClassLoader());
      return "sees runtime libraries";
    } catch (ClassNotFoundException e) {
      return "isolated";
    }
  }

  @Override
  public BootstrapResult bootstrap(BootstrapRequest request) {
    calls.add("bootstrap " + request.action());
    return BootstrapResult.of(List.of(Finding.ok("nothing", "to do")));
  }

  @Override
  public Attachment attach(AttachRequest request) {
    calls.add("attach " + request.vm().name() + " " + request.netnsPath() + " " + request.mac());
    requests.add(request);
    if (failAttach || request.interfaceName().equals(failAttachOn)) {
      throw new IgnisException(ErrorCode.PLUGIN_FAILED, "attach failed on purpose");
    }
    switch (misbehave) {
      case "throw" -> throw new IllegalStateException("bug on purpose");
      case "hang" -> {
        try {
          Thread.sleep(60_000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      case "slow" -> {
        try {
          Thread.sleep(2_500);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      case "no-interface" -> {
        return Attachment.builder(id(), request).guestInterface("").build();
      }
      case "loopback-guest" -> {
        return Attachment.builder(id(), request).guestInterface("lo")
            .addInterface(NetInterface.of("lo", "", request.netnsPath(), List.of(IpConfig.of("127.0.0.1/8")))).build();
      }
      default -> { }
    }
    NetInterface nic = NetInterface.of(request.interfaceName(), request.mac(), request.netnsPath(),
        List.of(IpConfig.of("10.99.0.2/24", "10.99.0.1")));
    NetInterface hostSide = NetInterface.of("veth-host", "", "", List.of(IpConfig.of("10.99.0.1/24")));
    return Attachment.builder(id(), request).ports(List.of()).addInterface(hostSide).addInterface(nic)
        .putPluginState("note", "kept").build();
  }

  @Override
  public List<PortMapping> mapPorts(Attachment attachment, List<PortMapping> wanted) {
    calls.add("mapPorts " + attachment.vm().name() + " " + wanted);
    if (failMapPorts) {
      throw new IgnisException(ErrorCode.BUSY, "port taken on purpose");
    }
    return wanted;
  }

  @Override
  public void detach(Attachment attachment, DetachReason reason) {
    calls.add("detach " + attachment.vm().name() + " " + attachment.pluginState() + " " + reason);
    detachedInterfaces.add(attachment.guestInterface());
  }

  @Override
  public List<String> gc(GcRequest request) {
    gcRequests.add(request);
    return List.of();
  }
}
