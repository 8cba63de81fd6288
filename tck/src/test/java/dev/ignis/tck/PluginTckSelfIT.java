package dev.ignis.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.ignis.runtime.exec.ProcessCommandRunner;
import dev.ignis.spi.AttachRequest;
import dev.ignis.spi.Attachment;
import dev.ignis.spi.BootstrapRequest;
import dev.ignis.spi.BootstrapResult;
import dev.ignis.spi.Command;
import dev.ignis.spi.CommandRunner;
import dev.ignis.spi.DetachReason;
import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.NetInterface;
import dev.ignis.spi.NetworkPlugin;
import dev.ignis.spi.PortMapping;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;

/** The kit fails a plugin that leaves a host route behind at detach and claims ports it never published. */
@Tag("integration")
class PluginTckSelfIT {

  private static final CommandRunner COMMANDS = new ProcessCommandRunner();

  @Test
  void aPluginThatLeavesARouteBehind_andLiesAboutPorts_failsTheChecksThatSaySo() {
    SummaryGeneratingListener listener = new SummaryGeneratingListener();
    LauncherFactory.create().execute(LauncherDiscoveryRequestBuilder.request()
        .selectors(selectClass(LeakyPluginTck.class)).build(), listener);
    List<String> failed = listener.getSummary().getFailures().stream()
        .map(failure -> failure.getTestIdentifier().getDisplayName()).toList();
    assertThat(failed).contains("attachThenDetach_leavesNothing()", "detachTwice_isNotAnError()",
        "mapPorts_isIdempotent_andChangesPortsLiveOrRefusesWithNotSupported()",
        "gc_keepsWhatVmsHold_andReclaimsWhatVmsThatAreGoneHeld()");
    assertThat(listener.getSummary().getFailures()).as("the kit names what was left")
        .anyMatch(failure -> String.valueOf(failure.getException().getMessage()).contains("+ host route blackhole 198.18."));
    assertThat(COMMANDS.run(Command.of("ip", "route", "show", "table", LeakyPlugin.TABLE)).stdout())
        .as("routes the kit's target left").isBlank();
    assertThat(COMMANDS.run(Command.of("ip", "-o", "link", "show")).stdout()).as("links the kit's target left")
        .doesNotContain(LeakyPlugin.PREFIX);
  }

  /** The kit pointed at the leaky plugin; run by the test above, not by failsafe itself. */
  static class LeakyPluginTck extends PluginTck {
    @Override
    protected TckTarget target(Path work) {
      return TckTarget.of(LeakyPlugin::new);
    }

    @Override
    protected void tearDownTarget() {
      COMMANDS.run(Command.of("ip", "route", "flush", "table", LeakyPlugin.TABLE));
      // Its attach into a missing sandbox leaves the pair on the host, before the kit's eyes.
      COMMANDS.run(Command.of("ip", "-o", "link", "show")).stdout().lines()
          .map(l -> l.replaceFirst("^\\d+: ([^:@ ]+).*", "$1")).filter(name -> name.startsWith(LeakyPlugin.PREFIX))
          .forEach(name -> COMMANDS.run(Command.of("ip", "link", "delete", name)));
    }
  }

  /**
   * A veth to the host per VM, and a blackhole route in a table of its own (the benchmarking
   * range, never used for traffic) that detach forgets; mapPorts only says yes.
   */
  public static final class LeakyPlugin implements NetworkPlugin {
    static final String PREFIX = "tckleak";
    static final String TABLE = "4242";

    @Override
    public String id() {
      return "leaky";
    }

    @Override
    public BootstrapResult bootstrap(BootstrapRequest request) {
      return BootstrapResult.of(List.of());
    }

    @Override
    public Attachment attach(AttachRequest request) {
      String host = PREFIX + request.vm().id().substring(0, 8);
      String netns = Path.of(request.netnsPath()).getFileName().toString();
      COMMANDS.run(Command.of("ip", "link", "add", host, "type", "veth", "peer", "name", "tmp" + request.vm().id()
          .substring(0, 8))).orThrow(ErrorCode.INVALID_NETNS);
      COMMANDS.run(Command.of("ip", "link", "set", "tmp" + request.vm().id().substring(0, 8), "netns", netns, "name",
          request.interfaceName(), "address", request.mac())).orThrow(ErrorCode.INVALID_NETNS);
      String leak = "198.18." + Integer.parseInt(request.vm().id().substring(0, 2), 16) + "."
          + Integer.parseInt(request.vm().id().substring(2, 4), 16) + "/32";
      COMMANDS.run(Command.of("ip", "route", "replace", "blackhole", leak, "table", TABLE)).orThrow(ErrorCode.INTERNAL);
      return Attachment.builder(id(), request)
          .addInterface(NetInterface.of(request.interfaceName(), request.mac(), request.netnsPath(), List.of()))
          .addInterface(NetInterface.of(host, "", "", List.of())).build();
    }

    @Override
    public List<PortMapping> mapPorts(Attachment attachment, List<PortMapping> wanted) {
      return wanted;
    }

    @Override
    public void detach(Attachment attachment, DetachReason reason) {}
  }
}
