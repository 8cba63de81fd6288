package dev.ignis.runtime.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ignis.spi.Attachment;
import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import dev.ignis.spi.IpConfig;
import dev.ignis.spi.NetInterface;
import dev.ignis.spi.PortMapping;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VmStoreTest {

  @TempDir Path dir;

  private Vm vm(String name) {
    return Vm.create(VmSpecTest.spec(name), Instant.parse("2026-01-01T00:00:00Z"));
  }

  @Test
  void save_thenLoad_keepsTheNetOptions_andNamesTheGuestInterfaceOfAnOldRecord() throws Exception {
    VmStore store = new VmStore(dir);
    VmSpec spec = VmSpecTest.spec("web");
    Vm vm = Vm.create(spec.withNetworks(List.of(new NetworkSpec("cni", "", spec.first().mac(), List.of(), List.of(),
        Map.of("k", "v")))), Instant.parse("2026-01-01T00:00:00Z"));
    store.save(vm);
    assertThat(store.load(vm.id()).spec().first().options()).containsEntry("k", "v");
    Attachment old = Attachment.builder("cni", vm.ref()).netnsPath("/run/netns/x")
        .addInterface(NetInterface.of("veth0", "", "", List.of()))
        .addInterface(NetInterface.of("eth0", "", "/run/netns/x", List.of())).build();
    assertThat(vm.withAttachment(0, old).attachments().get(0).guestInterface()).as("SPI 1.x records gave the guest eth0")
        .isEqualTo("eth0");
  }

  @Test
  void save_thenLoad_returnsAnEqualRecordWithItsAttachment() throws Exception {
    VmStore store = new VmStore(dir);
    Vm vm = vm("web");
    Attachment attachment = Attachment.builder("cni", vm.ref()).netnsPath("/run/netns/x").guestInterface("eth0")
        .addInterface(NetInterface.of("eth0", "02:00:00:00:00:01", "/run/netns/x", List.of(IpConfig.of("10.61.0.2/16", "10.61.0.1"))))
        .ports(List.of(PortMapping.parse("8080:80"))).putPluginState("k", "v").build();
    Vm running = vm.withNetns("ignis-" + vm.id()).withAttachment(0, attachment).started(Instant.parse("2026-01-01T00:01:00Z"));
    store.save(running);
    assertThat(store.load(vm.id())).isEqualTo(running);
    List<String> fields = new java.util.ArrayList<>();
    dev.ignis.runtime.format.Mappers.json().readTree(dir.resolve(vm.id()).resolve("vm.json").toFile()).fieldNames()
        .forEachRemaining(fields::add);
    assertThat(fields).as("only the record's own fields").containsExactlyInAnyOrder("id", "spec", "status", "createdAt",
        "startedAt", "netns", "attachments", "keptIps");
    assertThat(dir.resolve(vm.id())).isDirectoryContaining(p -> p.getFileName().toString().equals("vm.json"));
    try (var files = Files.list(dir.resolve(vm.id()))) {
      assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
    }
  }

  @Test
  void list_reportsACorruptRecordAndStillListsTheOthers() throws Exception {
    VmStore store = new VmStore(dir);
    store.save(vm("good"));
    Path broken = Files.createDirectories(dir.resolve("00000000000000aa"));
    Files.writeString(broken.resolve("vm.json"), "{ not json");
    VmStore.Listing listing = store.list();
    assertThat(listing.vms()).extracting(Vm::name).containsExactly("good");
    assertThat(listing.problems()).singleElement().asString()
        .contains(broken.resolve("vm.json").toString()).contains("corrupt").doesNotContain("\n");
  }

  @Test
  void list_reportsARecordWithAnInvalidName() throws Exception {
    VmStore store = new VmStore(dir);
    Vm vm = vm("good");
    store.save(vm);
    Path record = dir.resolve(vm.id()).resolve("vm.json");
    Files.writeString(record, Files.readString(record).replace("\"good\"", "\"../evil\""));
    assertThat(store.list().problems()).singleElement().asString().contains("corrupt");
  }

  @Test
  void find_byNameIdOrUniquePrefix() {
    VmStore store = new VmStore(dir);
    Vm web = vm("web");
    store.save(web);
    assertThat(store.find("web").id()).isEqualTo(web.id());
    assertThat(store.find(web.id()).id()).isEqualTo(web.id());
    assertThat(store.find(web.id().substring(0, 5)).id()).isEqualTo(web.id());
    assertThat(store.find(web.id().substring(0, 1)).id()).as("any length, while unique").isEqualTo(web.id());
    Vm worker = vm("worker");
    store.save(worker);
    assertThat(store.find("wo").id()).as("a unique name prefix").isEqualTo(worker.id());
    assertThat(store.find("web").id()).as("an exact name before any prefix").isEqualTo(web.id());
    assertThatThrownBy(() -> store.find("w")).hasMessageStartingWith("'w' is the start of 2 VMs (")
        .hasMessageContaining("web " + web.id()).hasMessageContaining("worker " + worker.id());
  }

  @Test
  void find_ofUnknownName_isNotFound() {
    assertThatThrownBy(() -> new VmStore(dir).find("nope"))
        .isInstanceOfSatisfying(IgnisException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND))
        .hasMessageContaining("runtime ps -a");
  }

  @Test
  void delete_removesTheDirectory_andLeftoversAreFound() throws Exception {
    VmStore store = new VmStore(dir);
    Vm web = vm("web");
    store.save(web);
    Files.createDirectories(dir.resolve("00000000000000bb"));
    store.delete(web.id());
    assertThat(dir.resolve(web.id())).doesNotExist();
    assertThat(store.leftoverDirectories()).containsExactly(dir.resolve("00000000000000bb"));
  }

  @Test
  void isIdle_whileLocked_isFalse() {
    VmStore store = new VmStore(dir);
    Vm web = vm("web");
    store.save(web);
    try (FileLock lock = store.lock(web)) {
      assertThat(store.isIdle(web)).isFalse();
    }
    assertThat(store.isIdle(web)).isTrue();
  }

  @Test
  void aVmAnotherCommandRemoved_isNotFoundWhenLocked_andItsDirectoryIsNotMadeAgain() {
    VmStore store = new VmStore(dir);
    Vm web = vm("web");
    store.save(web);
    store.delete(web.id());
    assertThat(store.isIdle(web)).as("nobody holds a removed VM").isTrue();
    assertThatThrownBy(() -> store.lock(web)).isInstanceOf(IgnisException.class)
        .hasMessage("VM 'web' no longer exists (another command removed it)")
        .satisfies(e -> assertThat(((IgnisException) e).code()).isEqualTo(ErrorCode.NOT_FOUND));
    assertThat(dir.resolve(web.id())).as("asking about it made nothing").doesNotExist();
  }

  @Test
  void aCommandWaitingForTheLockOfAVmBeingRemoved_findsItGone() throws Exception {
    VmStore store = new VmStore(dir);
    Vm web = vm("web");
    store.save(web);
    java.util.concurrent.CompletableFuture<FileLock> waiting;
    try (FileLock removing = store.lock(web)) {
      waiting = java.util.concurrent.CompletableFuture.supplyAsync(() -> store.lock(web));
      Thread.sleep(100);
      store.delete(web.id());
    }
    assertThatThrownBy(waiting::join).hasCauseInstanceOf(IgnisException.class)
        .hasMessageContaining("no longer exists");
    assertThat(dir.resolve(web.id())).doesNotExist();
  }
}
