package dev.ignis.runtime.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ignis.spi.CommandResult;
import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import dev.ignis.spi.PortMapping;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostPortsTest {

  @TempDir static Path state;

  /** As iptables-save prints the rules of CNI portmap 1.1.1 for a pod and for one of our VMs. */
  private static final String NAT = """
      *nat
      :CNI-HOSTPORT-DNAT - [0:0]
      -A PREROUTING -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT
      -A CNI-HOSTPORT-DNAT -p tcp -m comment --comment "dnat name: \\"k8s-pod-network\\" id: \\"4f1e9c0a2b\\"" -m multiport --dports 8080,9000:9010 -j CNI-DN-aaaa
      -A CNI-HOSTPORT-DNAT -p udp -m comment --comment "dnat name: \\"k8s-pod-network\\" id: \\"4f1e9c0a2b\\"" -m multiport --dports 5353 -j CNI-DN-aaaa
      -A CNI-HOSTPORT-DNAT -p tcp -m comment --comment "dnat name: \\"ignite-cni-bridge\\" id: \\"00000000000000aa\\"" -m multiport --dports 7070 -j CNI-DN-bbbb
      COMMIT
      """;

  private HostPorts ports;

  @org.junit.jupiter.api.BeforeEach
  void setUp() {
    ports = new HostPorts(command -> new CommandResult(command, 0, NAT, ""), state, state.resolve("host-locks"),
        m -> "");
  }

  private static Vm vm(String id, String name, VmStatus status, String... specs) {
    VmSpec spec = new VmSpec(name, null, 1, 256, "02:00:00:00:00:07", List.of(),
        List.of(specs).stream().map(PortMapping::parse).toList(), "cni");
    return new Vm(id, spec, status, Instant.EPOCH, null, null, null, List.of(), null, null);
  }

  private void assertBusy(Vm vm, List<Vm> all, String message) {
    assertThatThrownBy(() -> ports.check(vm, all, List.of()))
        .isInstanceOfSatisfying(IgnisException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BUSY))
        .hasMessageContaining(message);
  }

  @Test
  void aPortThatAnotherRuntimesPortmapForwards_isRefusedNamingTheContainer() {
    Vm web = vm("00000000000000ab", "web", VmStatus.CREATED, "8080:80");
    assertBusy(web, List.of(web), "host port 8080/tcp is still forwarded to container 4f1e9c0a2b of network"
        + " 'k8s-pod-network'");
    assertBusy(vm("00000000000000ab", "web", VmStatus.CREATED, "9005:80"), List.of(), "host port 9005/tcp");
    assertBusy(vm("00000000000000ab", "web", VmStatus.CREATED, "5353:53/udp"), List.of(), "host port 5353/udp");
    ports.check(vm("00000000000000ab", "web", VmStatus.CREATED, "5353:53"), List.of(), List.of()); // tcp is free
  }

  @Test
  void rulesOfThisRuntimesOwnVms_areLeftToTheVmCheck_whichNamesTheVm() {
    Vm db = vm("00000000000000aa", "db", VmStatus.RUNNING, "7070:80");
    Vm web = vm("00000000000000ab", "web", VmStatus.CREATED, "7070:80");
    assertBusy(web, List.of(db, web), "host port 7070/tcp is already mapped to VM 'db'");
    ports.check(web, List.of(vm("00000000000000aa", "db", VmStatus.STOPPED, "7070:80"), web), List.of());
  }

  @Test
  void portsAlreadyHeldByTheVm_areNotCheckedAgain() {
    ports.check(vm("00000000000000ab", "web", VmStatus.RUNNING, "8080:80"), List.of(),
        List.of(PortMapping.parse("8080:80")));
  }

  @Test
  void aListeningProgram_isFound() {
    HostPorts listening = new HostPorts(command -> new CommandResult(command, 0, "", ""), state,
        state.resolve("host-locks"), m -> "in use");
    assertThatThrownBy(() -> listening.check(vm("00000000000000ab", "web", VmStatus.CREATED, "8081:80"), List.of(),
        List.of())).hasMessage("host port 8081/tcp on 0.0.0.0 is in use by another program; pick another host port");
  }

  @Test
  void dportsLists_holdPortsAndRanges() {
    assertThat(HostPorts.covers("80,443,9000:9010", 9004)).isTrue();
    assertThat(HostPorts.covers("80,443,9000:9010", 8080)).isFalse();
  }

  @Test
  void commandsOnOtherPorts_goOn_whileOneOnTheSamePortWaitsForTheHolder() throws Exception {
    List<PortMapping> web = List.of(PortMapping.parse("8080:80"), PortMapping.parse("8443:443"));
    try (HostPorts.Hold held = ports.lockFor(web)) {
      CompletableFuture<Void> other = CompletableFuture.runAsync(() -> ports.lockFor(List.of(PortMapping.parse("9090:80")))
          .close());
      other.get(5, TimeUnit.SECONDS);
      CompletableFuture<Void> same = CompletableFuture.runAsync(() -> ports.lockFor(List.of(PortMapping.parse("8443:80"),
          PortMapping.parse("7000:80"))).close());
      Thread.sleep(300);
      assertThat(same).isNotDone();
      held.close();
      same.get(5, TimeUnit.SECONDS);
    }
    ports.lockFor(List.of(PortMapping.parse("8080:80/udp"))).close(); // another protocol, another lock
    assertThat(state.resolve("host-locks")).isDirectoryContaining(p -> p.getFileName().toString().equals("tcp-08443.lock"));
  }
}
