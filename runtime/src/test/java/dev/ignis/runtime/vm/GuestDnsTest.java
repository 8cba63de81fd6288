package dev.ignis.runtime.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ignis.runtime.guest.HostResolvers;
import dev.ignis.spi.Attachment;
import dev.ignis.spi.Dns;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GuestDnsTest {

  @TempDir
  Path dir;

  private final VmSpec spec = new VmSpec("web", null, 1, 256, List.of(
      new NetworkSpec("cni", "", "02:00:00:00:00:01", List.of(), List.of(), Map.of()),
      new NetworkSpec("cni", "lan", "02:00:00:00:00:02", List.of(), List.of(), Map.of())));

  private HostResolvers host(String resolvConf) throws Exception {
    return new HostResolvers(Files.writeString(dir.resolve("resolv.conf"), resolvConf), List.of());
  }

  private Attachment withDns(List<String> servers) {
    Vm vm = Vm.create(spec, java.time.Instant.EPOCH);
    return Attachment.builder("cni", vm.ref()).dns(Dns.of(servers, "", List.of())).build();
  }

  @Test
  void theVmsOwnComeFirst_thenTheFirstNetworkNamingAny_thenTheHosts() throws Exception {
    HostResolvers host = host("nameserver 192.0.2.53\n");
    List<Attachment> attachments = List.of(withDns(List.of()), withDns(List.of("127.0.0.53", "10.62.0.1")));
    assertThat(GuestDns.choose(spec.withDns(List.of("fd00::53")), attachments, host))
        .isEqualTo(new GuestDns(List.of("fd00::53"), "--dns"));
    assertThat(GuestDns.choose(spec, attachments, host)).as("a loopback one of a plugin is of no use to the guest")
        .isEqualTo(new GuestDns(List.of("10.62.0.1"), "network cni:lan"));
    assertThat(GuestDns.choose(spec, List.of(withDns(List.of())), host))
        .isEqualTo(new GuestDns(List.of("192.0.2.53"), "host"));
    assertThat(GuestDns.choose(spec, List.of(), host("nameserver 127.0.0.1\n"))).isEqualTo(new GuestDns(List.of(), "none"));
  }

  @Test
  void sshTakesAPublicKeyOrAKeyPairOfTheVmsOwn_onlyWithAnImage() {
    BootSpec image = new BootSpec("", "", "", "auto", "sha256:" + "a".repeat(64));
    VmSpec withImage = new VmSpec("web", image, 1, 256, spec.networks(), List.of(), "");
    assertThat(new VmSpec("web", image, 1, 256, spec.networks(), List.of(), "ssh-ed25519 AAAAC3Nz me@host").ssh())
        .isEqualTo("ssh-ed25519 AAAAC3Nz me@host");
    assertThat(new VmSpec("web", image, 1, 256, spec.networks(), List.of(), VmSpec.GENERATED_KEY).ssh())
        .isEqualTo("generated");
    assertThatThrownBy(() -> new VmSpec("web", image, 1, 256, spec.networks(), List.of(), "-----BEGIN OPENSSH PRIVATE"))
        .hasMessageContaining("--ssh holds no OpenSSH public key");
    assertThatThrownBy(() -> new VmSpec("web", null, 1, 256, spec.networks(), List.of(), VmSpec.GENERATED_KEY))
        .hasMessage("--ssh needs an IMAGE with an SSH server; the default image has none");
    assertThat(withImage.ssh()).isEmpty();
  }

  @Test
  void dnsOptionsAreAddresses_atMostThree_eachOnce() {
    assertThatThrownBy(() -> spec.withDns(List.of("dns.example"))).hasMessageContaining("--dns 'dns.example' is not an IP");
    assertThatThrownBy(() -> spec.withDns(List.of("10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4")))
        .hasMessageContaining("at most 3");
    assertThatThrownBy(() -> spec.withDns(List.of("fd00::1", "fd00:0::1"))).hasMessageContaining("names one server twice");
  }
}
