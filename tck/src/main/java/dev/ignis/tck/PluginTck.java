package dev.ignis.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ignis.spi.AttachRequest;
import dev.ignis.spi.Attachment;
import dev.ignis.spi.BootstrapRequest;
import dev.ignis.spi.BootstrapResult;
import dev.ignis.spi.DetachReason;
import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.GcRequest;
import dev.ignis.spi.IgnisException;
import dev.ignis.spi.IpConfig;
import dev.ignis.spi.NetworkPlugin;
import dev.ignis.spi.PortMapping;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The checks every network plugin must pass, with real network namespaces and the real commands
 * the runtime uses. Extend it in an integration test of your plugin and return the plugin from
 * {@link #target}; run as root (it makes namespaces). See docs/plugin-authors.md.
 *
 * <p>Before the checks the kit initializes the plugin with a state dir of its own, runs the
 * default bootstrap, and attaches and detaches one VM, so that what a network sets up once for
 * all its VMs (a bridge, a firewall chain) is in place; after that, every attach then detach
 * must leave the host (links, addresses, routes, rules, iptables, files) exactly as it found it.
 * Between attach and detach the kit links the guest interface as the runtime does (tap and tc
 * redirect) and unlinks it again.
 */
@Tag("integration")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class PluginTck {

  private Path work;
  private TckTarget target;
  private NetworkPlugin plugin;
  private TckPlugin calls;
  private HostState baseline;

  /** The plugin under test; called once, with a work dir for the class. */
  protected abstract TckTarget target(Path work) throws Exception;

  /**
   * Removes what {@link #target} set up for the plugin (a network's bridge, a daemon), after every
   * check and the kit's own clean-up. Does nothing by default.
   */
  protected void tearDownTarget() throws Exception {}

  @BeforeAll
  void initPlugin(@TempDir Path classDir) throws Exception {
    work = classDir;
    target = target(work);
    TckContext context = new TckContext(work.resolve("plugin-state"), target.settings(), target.hostNetns());
    plugin = target.plugin().get();
    plugin.init(context);
    if (!target.bootstrapped()) {
      BootstrapResult bootstrap = plugin.bootstrap(BootstrapRequest.defaults());
      assertThat(bootstrap.ok()).as("default bootstrap: %s", bootstrap.findings()).isTrue();
    }
    calls = new TckPlugin(plugin, target, context);
    Attachment warmUp = calls.attach(calls.request(target.publishesPorts() ? ports(1) : List.of()));
    calls.linkAndUnlink(warmUp);
    calls.detachAndRemove(warmUp, DetachReason.REMOVE);
  }

  @BeforeEach
  void captureBaseline() {
    baseline = calls.state();
  }

  @AfterEach
  void detachWhatIsLeft() {
    calls.cleanUp();
  }

  @AfterAll
  void removeSandboxes() throws Exception {
    try {
      if (calls != null) {
        calls.close();
      }
    } finally {
      tearDownTarget();
    }
  }

  @Test
  void attachThenDetach_leavesNothing() {
    AttachRequest request = calls.request(target.publishesPorts() ? ports(2) : List.of());
    plugin.validate(request.toBuilder().netnsPath("").build());
    assertThat(calls.state().changesSince(baseline)).as("validate must not change the host").isEmpty();
    Attachment attachment = calls.attach(request);
    calls.linkAndUnlink(attachment);
    calls.detachAndRemove(attachment, DetachReason.REMOVE);
    assertLeavesNothing("attach, then detach");
  }

  @Test
  void detachTwice_isNotAnError() {
    Attachment attachment = calls.attach(calls.request(List.of()));
    calls.detach(attachment, DetachReason.REMOVE);
    calls.detachAndRemove(attachment, DetachReason.REMOVE);
    assertLeavesNothing("detach twice");
  }

  @Test
  void detachOfABareAttachment_undoesAnAttachWhoseResultWasLost() {
    AttachRequest request = calls.request(target.publishesPorts() ? ports(1) : List.of());
    Attachment attachment = calls.attach(request);
    Attachment bare = Attachment.builder(plugin.id(), request.vm()).netnsPath(request.netnsPath()).build();
    calls.forget(attachment);
    calls.detachAndRemove(bare, DetachReason.REMOVE);
    assertLeavesNothing("a crash after attach (the runtime knew only the VM and its sandbox), then detach");
  }

  @Test
  void aFailingAttach_undoesItself() throws Exception {
    AttachRequest good = calls.request(target.publishesPorts() ? ports(1) : List.of());
    AttachRequest failing;
    if (target.failingAttach().isPresent()) {
      failing = target.failingAttach().get().apply(good);
    } else {
      Assumptions.assumeFalse(plugin.bringsOwnSandbox(), "give TckTarget.failingAttachBy for a plugin with its own"
          + " sandbox");
      failing = good.toBuilder().netnsPath("/run/netns/ignis-tck-missing-" + good.vm().id()).build();
    }
    assertThatThrownBy(() -> calls.attach(failing)).isInstanceOf(IgnisException.class);
    calls.remove(good);
    assertLeavesNothing("an attach that failed");
  }

  @Test
  void theAttachment_givesTheGuestTheRequestedInterface_asItIsInTheSandbox() {
    AttachRequest request = calls.request(List.of()).toBuilder().interfaceName("eth1").build();
    Attachment attachment = calls.attach(request);
    calls.assertGuestInterfaceIsReal(attachment, request);
    calls.detachAndRemove(attachment, DetachReason.REMOVE);
    assertLeavesNothing("attach of eth1, then detach");
  }

  @Test
  void mapPorts_isIdempotent_andChangesPortsLiveOrRefusesWithNotSupported() {
    if (!target.publishesPorts()) {
      AttachRequest withPorts = calls.request(ports(1));
      assertThatThrownBy(() -> calls.attach(withPorts)).isInstanceOfSatisfying(IgnisException.class,
          e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_SUPPORTED));
      calls.remove(withPorts);
      Attachment none = calls.attach(calls.request(List.of()));
      assertThat(plugin.mapPorts(none, List.of())).isEmpty();
      assertThatThrownBy(() -> plugin.mapPorts(none, ports(1))).isInstanceOfSatisfying(IgnisException.class,
          e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_SUPPORTED));
      calls.detachAndRemove(none, DetachReason.REMOVE);
      assertLeavesNothing("ports refused");
      return;
    }
    Attachment attachment = calls.attach(calls.request(ports(1)));
    PortMapping first = attachment.ports().get(0);
    assertThat(calls.isPublished(first)).as("port %s after attach", first).isTrue();
    assertThat(new HashSet<>(plugin.mapPorts(attachment, attachment.ports()))).as("the same ports again")
        .isEqualTo(new HashSet<>(attachment.ports()));
    attachment = calls.changePorts(attachment, ports(1));
    attachment = calls.changePorts(attachment, List.of());
    calls.detachAndRemove(attachment, DetachReason.REMOVE);
    assertLeavesNothing("ports mapped and changed");
  }

  @Test
  void stopThenStart_keepsTheMac_andTheAddressesWherePromised() {
    AttachRequest first = calls.request(List.of());
    Attachment before = calls.attach(first);
    List<String> kept = before.guestNic().map(nic -> nic.ips().stream().map(IpConfig::ip).toList()).orElse(List.of());
    calls.detach(before, DetachReason.STOP);
    Attachment after = calls.attach(first.toBuilder().keptIps(kept).build());
    assertThat(after.guestNic()).hasValueSatisfying(nic -> assertThat(nic.mac()).isIn(first.mac(), ""));
    if (target.keepsAddresses()) {
      assertThat(after.guestNic().orElseThrow().ips().stream().map(IpConfig::ip).toList()).as("kept addresses")
          .containsAll(kept);
    }
    calls.detachAndRemove(after, DetachReason.REMOVE);
    assertLeavesNothing("attach, stop, attach again, remove");
  }

  @Test
  void attachesOfDifferentVms_inParallel_getDistinctAddresses_andLeaveNothing() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Attachment>> attaching = java.util.stream.IntStream.range(0, 4)
          .mapToObj(i -> pool.submit(() -> calls.attach(calls.request(List.of())))).toList();
      List<Attachment> attachments = new java.util.ArrayList<>();
      for (Future<Attachment> future : attaching) {
        attachments.add(future.get());
      }
      List<String> addresses = attachments.stream().flatMap(a -> a.guestNic().orElseThrow().ips().stream())
          .map(IpConfig::ip).toList();
      assertThat(addresses).as("guest addresses of four VMs").doesNotHaveDuplicates();
      for (Future<?> future : attachments.stream().map(a -> pool.submit(
          () -> calls.detachAndRemove(a, DetachReason.REMOVE))).toList()) {
        future.get();
      }
    } finally {
      pool.shutdownNow();
    }
    assertLeavesNothing("four attaches and detaches in parallel");
  }

  @Test
  void isIntact_changesNothing_andSaysFalseOnceTheGuestInterfaceIsGone() throws Exception {
    Attachment attachment = calls.attach(calls.request(List.of()));
    HostState attached = calls.state();
    assertThat(plugin.isIntact(attachment)).as("isIntact right after attach").isTrue();
    assertThat(calls.state().changesSince(attached)).as("isIntact must not change the host").isEmpty();
    boolean overridden = plugin.getClass().getMethod("isIntact", Attachment.class).getDeclaringClass()
        != NetworkPlugin.class;
    calls.deleteGuestInterface(attachment);
    if (overridden) {
      assertThat(plugin.isIntact(attachment)).as("isIntact once the guest interface is gone").isFalse();
    }
    calls.detachAndRemove(attachment, DetachReason.REMOVE);
    assertLeavesNothing("a broken network, then detach");
  }

  @Test
  void gc_keepsWhatVmsHold_andReclaimsWhatVmsThatAreGoneHeld() {
    Attachment kept = calls.attach(calls.request(List.of()));
    HostState withKept = calls.state();
    AttachRequest goneRequest = calls.request(List.of());
    Attachment gone = calls.attach(goneRequest);
    calls.forget(gone);
    GcRequest request = GcRequest.builder().existingVmIds(Set.of(kept.vm().id())).attachments(List.of(kept)).build();
    plugin.gc(request);
    calls.remove(goneRequest); // the runtime removes a gone VM's sandbox after the plugins' gc
    assertThat(plugin.gc(request)).as("a second gc finds nothing more").isEmpty();
    assertThat(calls.state().changesSince(withKept)).as("after gc, only what the kept VM holds").isEmpty();
    assertThat(plugin.isIntact(kept)).isTrue();
    calls.detachAndRemove(kept, DetachReason.REMOVE);
    assertLeavesNothing("gc, then detach of the kept VM");
  }

  private static List<PortMapping> ports(int count) {
    return java.util.stream.IntStream.range(0, count).mapToObj(i -> PortMapping.tcp(TckVms.freePort(), 80 + i)).toList();
  }

  private void assertLeavesNothing(String what) {
    assertThat(calls.state().changesSince(baseline)).as("what %s left behind", what).isEmpty();
  }
}
