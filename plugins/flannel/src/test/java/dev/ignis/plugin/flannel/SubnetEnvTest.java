package dev.ignis.plugin.flannel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SubnetEnvTest {

  @TempDir Path dir;

  @Test
  void readsWhatFlanneldWrites() throws Exception {
    Path file = Files.writeString(dir.resolve("subnet.env"), "FLANNEL_NETWORK=10.244.0.0/16\n"
        + "FLANNEL_SUBNET=10.244.3.1/24\nFLANNEL_MTU=1450\nFLANNEL_IPMASQ=true\n");
    SubnetEnv env = SubnetEnv.read(file);
    assertThat(env.network()).hasToString("10.244.0.0/16");
    assertThat(env.subnet()).hasToString("10.244.3.0/24");
    assertThat(env.gateway()).isEqualTo("10.244.3.1");
    assertThat(env.mtu()).isEqualTo(1450);
    assertThat(env.ipMasq()).isTrue();
  }

  @Test
  void refusesWhatFlanneldWouldNotWrite_inOneLine() throws Exception {
    assertThatThrownBy(() -> SubnetEnv.read(dir.resolve("missing.env")))
        .hasMessageStartingWith("there is no " + dir.resolve("missing.env") + "; start flanneld first");
    Path noSubnet = Files.writeString(dir.resolve("a.env"), "FLANNEL_NETWORK=10.244.0.0/16\nFLANNEL_MTU=1450\n");
    assertThatThrownBy(() -> SubnetEnv.read(noSubnet)).hasMessage(noSubnet + " is not a subnet.env flanneld wrote: it"
        + " has no FLANNEL_SUBNET");
    Path outside = Files.writeString(dir.resolve("b.env"), "FLANNEL_NETWORK=10.244.0.0/16\nFLANNEL_SUBNET=10.9.3.1/24\n"
        + "FLANNEL_MTU=1450\n");
    assertThatThrownBy(() -> SubnetEnv.read(outside)).hasMessageContaining("FLANNEL_SUBNET 10.9.3.0/24 is outside"
        + " FLANNEL_NETWORK 10.244.0.0/16");
    Path badMtu = Files.writeString(dir.resolve("c.env"), "FLANNEL_NETWORK=10.244.0.0/16\nFLANNEL_SUBNET=10.244.3.1/24\n"
        + "FLANNEL_MTU=jumbo\n");
    assertThatThrownBy(() -> SubnetEnv.read(badMtu)).hasMessageContaining("is not a subnet.env flanneld wrote");
  }
}
