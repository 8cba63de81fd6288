package dev.ignis.runtime.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ignis.runtime.guest.GuestDhcp;
import dev.ignis.runtime.guest.GuestLink;
import dev.ignis.runtime.hypervisor.AccelProbe;
import dev.ignis.runtime.image.ImageStore;
import dev.ignis.runtime.netns.NetworkNamespaces;
import dev.ignis.runtime.plugin.Plugins;
import dev.ignis.runtime.testplugin.RecordingPlugin;
import dev.ignis.spi.Command;
import dev.ignis.spi.CommandResult;
import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import dev.ignis.spi.PortMapping;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lifecycle's own logic, with a fake plugin and a fake process boundary. */
class VmLifecycleTest {

  @TempDir Path state;

  private final RecordingPlugin plugin = new RecordingPlugin();
  /** A plugin that brings its own sandbox, as docker-bridge does. */
  private final RecordingPlugin sandboxed = new RecordingPlugin() {
    @Override
    public String id() {
      return "own-sandbox";
    }

    @Override
    public boolean bringsOwnSandbox() {
      return true;
    }
  };
  private final FakeHypervisor hypervisor = new FakeHypervisor();
  private BootSpec boot;
  private final List<String> hostCommands = new ArrayList<>();
  private VmStore store;
  private NetworkNamespaces netns;
  private VmLifecycle lifecycle;

  @BeforeEach
  void setUp() throws Exception {
    store = new VmStore(state.resolve("vms"));
    // Pins in the test's own dir: these fake namespaces must never touch the host's /run/netns.
    netns = new NetworkNamespaces(this::fakeRun, state.resolve("netns"), state.resolve("run-netns"));
    Plugins plugins = Plugins.of(List.of(plugin, sandboxed), this::context);
    Path kernel = Files.writeString(state.resolve("vmlinux"), "kernel");
    Path initrd = Files.writeString(state.resolve("initrd"), "initrd");
    boot = new BootSpec(kernel.toString(), initrd.toString(), "", "tcg");
    VmGuest guest = new VmGuest(hypervisor, new ImageStore(state.resolve("images"), Optional.empty(), this::fakeRun,
        System.err, new dev.ignis.runtime.image.kernel.Kernels(state)), new AccelProbe(hypervisor, state.resolve("probe")), new GuestLink(this::fakeRun), new GuestDhcp(this::fakeRun),
        state.resolve("vms"), Duration.ofSeconds(5));
    lifecycle = new VmLifecycle(store, netns, () -> plugins, guest,
        new HostPorts(this::fakeRun, state, state.resolve("host-locks"), mapping -> ""), Clock.systemUTC());
  }

  /** The recording plugin's context: its calls time out after 1 s. */
  private dev.ignis.spi.PluginContext context(String id) {
    return new dev.ignis.spi.PluginContext() {
      @Override
      public Path stateDir() {
        return state.resolve("plugins").resolve(id);
      }

      @Override
      public Optional<String> setting(String key) {
        return key.equals("call-timeout") ? Optional.of("1") : Optional.empty();
      }

      @Override
      public dev.ignis.spi.CommandRunner commands() {
        return VmLifecycleTest.this::fakeRun;
      }

      @Override
      public void notice(String message) {}
    };
  }

  private CommandResult fakeRun(Command command) {
    hostCommands.add((command.netnsPath().isEmpty() ? "" : "[" + command.netnsPath() + "] ") + command.display()
        + (command.stdin().isEmpty() ? "" : " <<" + command.stdin().replace("\n", ";")));
    if (command.argv().size() == 3 && command.argv().subList(0, 2).equals(List.of("busybox", "udhcpd"))) {
      writeUdhcpdPidFile(Path.of(command.argv().get(2))); // as the real one does once it forked
    }
    return new CommandResult(command, 0, "", "");
  }

  /** Writes the pid file the udhcpd config names, with a pid that is no udhcpd (this JVM's). */
  private static void writeUdhcpdPidFile(Path config) {
    try {
      String pidFile = Files.readAllLines(config).stream().filter(line -> line.startsWith("pidfile "))
          .map(line -> line.substring("pidfile ".length())).findFirst().orElseThrow();
      Files.writeString(Path.of(pidFile), ProcessHandle.current().pid() + "\n");
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private VmSpec spec(String name, String... ports) {
    return new VmSpec(name, boot, 1, 256, "02:00:00:00:00:07", List.of(),
        List.of(ports).stream().map(PortMapping::parse).toList(), "recording");
  }

  @Test
  void start_journalsTheNetnsAttachesAndPersistsTheAttachment() {
    Vm vm = lifecycle.create(spec("web"));
    Vm running = lifecycle.start("web", Optional.empty());
    assertThat(running.status()).isEqualTo(VmStatus.RUNNING);
    assertThat(running.attachments().get(0).pluginState()).containsEntry("note", "kept");
    assertThat(store.load(vm.id())).isEqualTo(running);
    assertThat(netns.journalled()).containsExactly("ignis-" + vm.id());
    assertThat(hostCommands).contains("ip netns add ignis-" + vm.id());
    String sandbox = netns.pathOf("ignis-" + vm.id()).toString();
    assertThat(plugin.calls).containsExactly("attach web " + sandbox + " 02:00:00:00:00:07");
    String inSandbox = "[" + sandbox + "] ";
    assertThat(hostCommands).contains(inSandbox + "ip -batch - <<tuntap add tap0 mode tap;link set tap0 up;");
    assertThat(hostCommands).as("the plugin's interface keeps its addresses").noneMatch(c -> c.contains("addr flush"));
    assertThat(hostCommands).anySatisfy(line -> assertThat(line).startsWith(inSandbox + "tc -batch - <<")
        .contains("filter add dev eth0 parent ffff: protocol all u32 match u8 0 0 action mirred egress redirect dev tap0")
        .contains("filter add dev tap0 parent ffff: protocol all u32 match u8 0 0 action mirred egress redirect dev eth0"));
    assertThat(hypervisor.started).singleElement().satisfies(spec -> {
      assertThat(spec.nics()).containsExactly(new dev.ignis.runtime.hypervisor.GuestSpec.Nic("tap0", "02:00:00:00:00:07"));
      assertThat(spec.accel()).isEqualTo("tcg");
      assertThat(spec.cmdline()).contains("ip=10.99.0.2::10.99.0.1:24:web:eth0:off").contains("ignis.name=web")
          .contains("console=ttyS0").contains("tsc_early_khz=");
    });
    assertThat(running.guest()).isNotNull();
  }

  @Test
  void start_whenTheGuestNeverBecomesReady_undoesEverything() {
    Vm vm = lifecycle.create(spec("web"));
    hypervisor.neverReady = true;
    assertThatThrownBy(() -> lifecycle.start("web", Optional.empty())).hasMessageContaining("VM 'web': not ready");
    assertThat(hypervisor.alive).isEmpty();
    assertThat(plugin.calls).last().asString().startsWith("detach web");
    assertThat(store.load(vm.id()).status()).isEqualTo(VmStatus.CREATED);
    assertThat(netns.journalled()).isEmpty();
  }

  @Test
  void aVmWhoseGuestDied_isReconciledAsExited_andGcDetachesIt() {
    Vm vm = lifecycle.create(spec("web"));
    Vm running = lifecycle.start("web", Optional.empty());
    hypervisor.alive.clear();
    assertThat(lifecycle.reconcile(running).status()).isEqualTo(VmStatus.EXITED);
    Plugins plugins = Plugins.of(List.of(plugin), this::context);
    var report = new VmGarbageCollector(store, netns, () -> plugins, lifecycle).collect();
    assertThat(report.reclaimed()).singleElement().asString().contains("had exited");
    assertThat(store.load(vm.id()).status()).isEqualTo(VmStatus.STOPPED);
    assertThat(plugin.calls).last().asString().startsWith("detach web");
  }

  @Test
  void gc_stopsTheGuestOfADirectoryWithoutRecord_beforeRemovingIt() throws Exception {
    Vm vm = lifecycle.create(spec("web"));
    lifecycle.start("web", Optional.empty());
    Files.delete(state.resolve("vms").resolve(vm.id()).resolve("vm.json")); // a start cut short after its record went
    Plugins plugins = Plugins.of(List.of(plugin), this::context);
    var report = new VmGarbageCollector(store, netns, () -> plugins, lifecycle).collect();
    assertThat(report.reclaimed()).anySatisfy(line -> assertThat(line).contains("an interrupted create or rm"));
    assertThat(hypervisor.alive).as("its QEMU was stopped first").isEmpty();
    assertThat(state.resolve("vms").resolve(vm.id())).doesNotExist();
  }

  private VmSpec twoNetworks(String name) {
    return new VmSpec(name, boot, 1, 256, List.of(
        new NetworkSpec("recording", "", "02:00:00:00:00:07", List.of(), List.of(PortMapping.parse("8080:80")), Map.of()),
        new NetworkSpec("recording", "b", "02:00:00:00:00:08", List.of(), List.of(PortMapping.parse("8081:80")),
            Map.of())));
  }

  @Test
  void aVmOfTwoNetworks_attachesEachOnItsInterface_bootsOneCardEach_andDetachesThemLastFirst() {
    Vm vm = lifecycle.create(twoNetworks("web"));
    Vm running = lifecycle.start("web", Optional.empty());
    assertThat(plugin.requests).extracting(r -> r.interfaceName() + " " + r.network() + " " + r.mac() + " " + r.ports())
        .containsExactly("eth0  02:00:00:00:00:07 [0.0.0.0:8080:80/tcp]", "eth1 b 02:00:00:00:00:08 [0.0.0.0:8081:80/tcp]");
    assertThat(running.attachments()).extracting(a -> a.guestInterface()).containsExactly("eth0", "eth1");
    assertThat(running.publishedPorts()).hasSize(2);
    assertThat(hypervisor.started).singleElement().satisfies(spec -> {
      assertThat(spec.nics()).containsExactly(new dev.ignis.runtime.hypervisor.GuestSpec.Nic("tap0", "02:00:00:00:00:07"),
          new dev.ignis.runtime.hypervisor.GuestSpec.Nic("tap1", "02:00:00:00:00:08"));
      assertThat(spec.cmdline()).contains("ip=10.99.0.2::10.99.0.1:24:web:eth0:off")
          .contains("ip=10.99.0.2:::24:web:eth1:off").contains("ignis.nics=02:00:00:00:00:07,02:00:00:00:00:08");
    });
    assertThat(store.load(vm.id())).isEqualTo(running);
    lifecycle.stop("web", Duration.ZERO);
    assertThat(plugin.detachedInterfaces).containsExactly("eth1", "eth0");
    Vm stopped = store.load(vm.id());
    assertThat(stopped.attachments()).isEmpty();
    assertThat(stopped.keptIps(1)).containsExactly("10.99.0.2");
  }

  @Test
  void aPluginThatBringsItsOwnSandbox_sharesItWithNoOtherNetwork_refusedBeforeAnythingIsRecorded() {
    VmSpec spec = new VmSpec("web", boot, 1, 256, List.of(NetworkSpec.of("recording"), NetworkSpec.of("own-sandbox")));
    assertThatThrownBy(() -> lifecycle.create(spec)).hasMessage("network plugin 'own-sandbox' brings its own sandbox,"
        + " which no other network can share; give a VM on it no other --network");
    assertThat(store.list().vms()).isEmpty();
    assertThat(lifecycle.create(spec.withNetworks(List.of(NetworkSpec.of("own-sandbox")))).spec().networks()).hasSize(1);
  }

  @Test
  void aSecondNetworkThatFailsToAttach_undoesTheFirst_andLeavesTheVmAsItWas() {
    Vm vm = lifecycle.create(twoNetworks("web"));
    plugin.failAttachOn = "eth1";
    assertThatThrownBy(() -> lifecycle.start("web", Optional.empty())).hasMessageContaining("attach failed on purpose");
    assertThat(plugin.detachedInterfaces).as("the second as its plugin finds it, then the first")
        .containsExactly("eth1", "eth0");
    Vm after = store.load(vm.id());
    assertThat(after.status()).isEqualTo(VmStatus.CREATED);
    assertThat(after.attachments()).isEmpty();
    assertThat(netns.journalled()).isEmpty();
    assertThat(hypervisor.alive).isEmpty();
  }

  @Test
  void start_withPortsThePluginDidNotApply_callsMapPorts() {
    lifecycle.create(spec("web", "8080:80"));
    Vm running = lifecycle.start("web", Optional.empty());
    assertThat(plugin.calls).last().asString().startsWith("mapPorts web");
    assertThat(running.attachments().get(0).ports()).containsExactly(PortMapping.parse("8080:80"));
  }

  @Test
  void start_whenMapPortsFails_detachesRemovesTheNetnsAndKeepsTheVmStopped() {
    Vm vm = lifecycle.create(spec("web", "8080:80"));
    plugin.failMapPorts = true;
    assertThatThrownBy(() -> lifecycle.start("web", Optional.empty())).hasMessageContaining("port taken");
    assertThat(plugin.calls).last().asString().startsWith("detach web");
    Vm after = store.load(vm.id());
    assertThat(after.status()).isEqualTo(VmStatus.CREATED);
    assertThat(after.attachments()).isEmpty();
    assertThat(netns.journalled()).isEmpty();
  }

  @Test
  void start_ofARunningVm_isAConflict() {
    lifecycle.create(spec("web"));
    lifecycle.start("web", Optional.empty());
    assertThatThrownBy(() -> lifecycle.start("web", Optional.empty()))
        .isInstanceOfSatisfying(IgnisException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_STATE));
  }

  @Test
  void stopThenStart_keepsTheMacAndDetachesWithTheStoredAttachment() {
    lifecycle.create(spec("web"));
    lifecycle.start("web", Optional.empty());
    VmLifecycle.StopResult stopped = lifecycle.stop("web", Duration.ofSeconds(1));
    assertThat(stopped.wasRunning()).isTrue();
    assertThat(stopped.vm().status()).isEqualTo(VmStatus.STOPPED);
    assertThat(hypervisor.calls).contains("stop 1000");
    assertThat(plugin.calls).last().asString().isEqualTo("detach web {note=kept} STOP");
    Vm again = lifecycle.start("web", Optional.empty());
    assertThat(again.attachments().get(0).guestNic().orElseThrow().mac()).isEqualTo("02:00:00:00:00:07");
    assertThat(plugin.requests).last().satisfies(request -> {
      assertThat(request.keptIps()).as("the guest interface's address, not the host side's").containsExactly("10.99.0.2");
      assertThat(request.requestedIps()).isEmpty();
    });
    assertThat(lifecycle.stop("web", Duration.ofSeconds(1)).wasRunning()).isTrue();
    assertThat(lifecycle.stop("web", Duration.ofSeconds(1)).wasRunning()).isFalse();
    lifecycle.remove("web", false);
    assertThat(plugin.calls).filteredOn(call -> call.startsWith("detach")).last().asString().endsWith(" STOP");
  }

  @Test
  void rmOfARunningVm_detachesForRemoval_andAFailedAttachIsNeverRetried() {
    lifecycle.create(spec("web"));
    lifecycle.start("web", Optional.empty());
    lifecycle.remove("web", true);
    assertThat(plugin.calls).last().asString().isEqualTo("detach web {note=kept} REMOVE");
    lifecycle.create(spec("two"));
    lifecycle.start("two", Optional.empty());
    lifecycle.stop("two", Duration.ZERO);
    plugin.failAttach = true;
    plugin.calls.clear();
    assertThatThrownBy(() -> lifecycle.start("two", Optional.empty())).hasMessageContaining("attach failed on purpose");
    assertThat(plugin.calls).filteredOn(call -> call.startsWith("attach")).hasSize(1);
  }

  @Test
  void netOptions_reachThePlugin_atValidateAndAttach() {
    VmSpec spec = spec("web");
    NetworkSpec network = spec.first();
    lifecycle.create(spec.withNetworks(List.of(new NetworkSpec(network.plugin(), "", network.mac(), List.of(),
        List.of(), java.util.Map.of("mode", "fast")))));
    lifecycle.start("web", Optional.empty());
    assertThat(plugin.requests).last().satisfies(r -> assertThat(r.options()).containsEntry("mode", "fast"));
  }

  @Test
  void gc_tellsThePluginWhichVmsExist_andWhichHoldItsNetwork() {
    Vm stopped = lifecycle.create(spec("stopped"));
    Vm running = lifecycle.create(spec("running"));
    lifecycle.start("running", Optional.empty());
    Plugins plugins = Plugins.of(List.of(plugin), this::context);
    new VmGarbageCollector(store, netns, () -> plugins, lifecycle).collect();
    assertThat(plugin.gcRequests).singleElement().satisfies(request -> {
      assertThat(request.existingVmIds()).containsExactlyInAnyOrder(stopped.id(), running.id());
      assertThat(request.networkHoldingVmIds()).containsExactly(running.id());
      assertThat(request.attachments()).singleElement().satisfies(a -> assertThat(a.vm().id()).isEqualTo(running.id()));
    });
  }

  @Test
  void anAttachmentGivingTheGuestLoopback_isUndoneAndRefused() {
    Vm vm = lifecycle.create(spec("web"));
    plugin.misbehave = "loopback-guest";
    assertThatThrownBy(() -> lifecycle.start("web", Optional.empty()))
        .hasMessageContaining("the guest interface 'lo' it named is not an interface of the sandbox");
    assertThat(plugin.calls).last().asString().startsWith("detach web");
    assertThat(store.load(vm.id()).status()).isEqualTo(VmStatus.CREATED);
  }

  @Test
  void create_withATakenName_isAConflictNamingTheOther() {
    Vm first = lifecycle.create(spec("web"));
    assertThatThrownBy(() -> lifecycle.create(spec("web")))
        .isInstanceOfSatisfying(IgnisException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.ALREADY_EXISTS))
        .hasMessageContaining(first.id());
  }

  @Test
  void create_withAnUnknownPlugin_namesThePluginsThatExist() {
    VmSpec spec = spec("web").withNetworkPlugin("nope");
    assertThatThrownBy(() -> lifecycle.create(spec)).hasMessageContaining("available: ").hasMessageContaining("recording");
    assertThat(store.list().vms()).isEmpty();
  }

  @Test
  void remove_ofARunningVm_needsForce() {
    lifecycle.create(spec("web"));
    lifecycle.start("web", Optional.empty());
    assertThatThrownBy(() -> lifecycle.remove("web", false))
        .isInstanceOfSatisfying(IgnisException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_STATE))
        .hasMessageContaining("rm -f");
    assertThat(store.find("web").status()).isEqualTo(VmStatus.RUNNING);
    lifecycle.remove("web", true);
    assertThat(store.list().vms()).isEmpty();
    assertThat(netns.journalled()).isEmpty();
  }

  @Test
  void start_withAHostPortMappedToAnotherRunningVm_isRefusedBeforeAnyChange() {
    lifecycle.create(spec("one", "8080:80"));
    lifecycle.create(spec("two", "8080:81"));
    lifecycle.start("one", Optional.empty());
    plugin.calls.clear();
    assertThatThrownBy(() -> lifecycle.start("two", Optional.empty()))
        .hasMessageContaining("host port 8080/tcp is already mapped to VM 'one'");
    assertThat(plugin.calls).isEmpty();
  }

  @Test
  void garbageCollector_finishesAnInterruptedStart() {
    Vm vm = lifecycle.create(spec("web"));
    store.save(vm.withStatus(VmStatus.STARTING).withNetns("ignis-" + vm.id()));
    netns.add("ignis-" + vm.id());
    Plugins plugins = Plugins.of(List.of(plugin), this::context);
    var report = new VmGarbageCollector(store, netns, () -> plugins, lifecycle).collect();
    assertThat(report.reclaimed()).singleElement().asString().contains("interrupted start of VM 'web'");
    assertThat(store.load(vm.id()).status()).isEqualTo(VmStatus.STOPPED);
    assertThat(netns.journalled()).isEmpty();
    assertThat(plugin.calls).containsExactly("detach web {} STOP");
  }

  @Test
  void aPluginThatThrowsWhatItShouldNot_isAPluginFailureNamingIt_andTheVmIsAsBefore() {
    Vm vm = lifecycle.create(spec("web"));
    plugin.misbehave = "throw";
    assertThatThrownBy(() -> lifecycle.start("web", Optional.empty()))
        .isInstanceOfSatisfying(IgnisException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.PLUGIN_FAILED))
        .hasMessageStartingWith("network plugin 'recording' failed (attach): it threw java.lang.IllegalStateException:"
            + " bug on purpose");
    assertThat(store.load(vm.id()).status()).isEqualTo(VmStatus.CREATED);
    assertThat(netns.journalled()).as("the sandbox is gone").isEmpty();
  }

  @Test
  void anAttachmentWithoutInterface_isUndoneAndRefused_ratherThanReportedUp() {
    Vm vm = lifecycle.create(spec("web"));
    plugin.misbehave = "no-interface";
    assertThatThrownBy(() -> lifecycle.start("web", Optional.empty()))
        .hasMessage("network plugin 'recording' failed (attach): it named no interface for the guest"
            + " (Attachment.guestInterface)");
    assertThat(plugin.calls).anyMatch(call -> call.startsWith("detach web"));
    assertThat(store.load(vm.id()).status()).isEqualTo(VmStatus.CREATED);
    assertThat(hypervisor.started).isEmpty();
  }

  @Test
  void anAttachThatHangs_isGivenUpAfterThePluginsCallTimeout() {
    Vm vm = lifecycle.create(spec("web"));
    plugin.misbehave = "hang";
    long start = System.nanoTime();
    assertThatThrownBy(() -> lifecycle.start("web", Optional.empty()))
        .isInstanceOfSatisfying(IgnisException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.TRY_AGAIN_LATER))
        .hasMessage("network plugin 'recording' did not finish attach within 1 s (setting plugin.recording.call-timeout);"
            + " gave up on it");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    assertThat(store.load(vm.id()).status()).isEqualTo(VmStatus.CREATED);
  }

  @Test
  void aRunningVmWhoseRecordCannotBeRead_isLeftAloneByGc_andRmForceStopsItsGuest() throws Exception {
    Vm vm = lifecycle.start(lifecycle.create(spec("web")).id(), Optional.empty());
    Files.writeString(state.resolve("vms").resolve(vm.id()).resolve("vm.json"), "{ not json");
    Plugins plugins = Plugins.of(List.of(plugin), this::context);

    var report = new VmGarbageCollector(store, netns, () -> plugins, lifecycle).collect();

    assertThat(report.problems()).singleElement().asString().contains("vm.json is corrupt")
        .contains("'runtime rm -f " + vm.id() + "'").contains("gc leaves that VM alone");
    assertThat(netns.journalled()).containsExactly("ignis-" + vm.id());
    assertThat(hypervisor.alive).hasSize(1);
    assertThatThrownBy(() -> lifecycle.remove("web", true)).hasMessageContaining("no VM named 'web'");
    assertThatThrownBy(() -> lifecycle.remove(vm.id(), false)).hasMessageContaining("vm.json is corrupt");

    VmLifecycle.Removal removal = lifecycle.remove(vm.id(), true);

    assertThat(removal.name()).isEqualTo(vm.id());
    assertThat(removal.warning()).get().asString().contains("'runtime gc' reclaims it");
    assertThat(hypervisor.alive).as("its QEMU, found through the pid file").isEmpty();
    assertThat(state.resolve("vms").resolve(vm.id())).doesNotExist();
  }
}
