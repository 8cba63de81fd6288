package dev.ignis.runtime.vm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ignis.runtime.hypervisor.GuestProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VmGuestReadyTest {

  @TempDir Path dir;

  @Test
  void aGuestStartedEarly_isReadyOnlyWithTheAddressItWasServed() throws Exception {
    Path console = dir.resolve("console.log");
    GuestProcess guest = new GuestProcess(1, "", console.toString(), dir.resolve("qmp.sock").toString());
    Files.writeString(console, "udhcpc: no lease, failing\nIGNIS-READY web \n");
    assertThat(VmGuest.readyWith(guest, "web", "10.61.0.5")).as("DHCP went unanswered").isFalse();
    Files.writeString(console, "IGNIS-READY web 10.61.0.50/24\n");
    assertThat(VmGuest.readyWith(guest, "web", "10.61.0.5")).as("another address").isFalse();
    Files.writeString(console, "udhcpc: lease of 10.61.0.5 obtained\nIGNIS-READY web 10.61.0.5/24\n");
    assertThat(VmGuest.readyWith(guest, "web", "10.61.0.5")).isTrue();
  }
}
