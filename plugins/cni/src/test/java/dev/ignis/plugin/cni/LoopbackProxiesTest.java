package dev.ignis.plugin.cni;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ignis.spi.PortMapping;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LoopbackProxiesTest {

  @TempDir
  Path dir;

  @Test
  void onlyPortsOnIpv6LoopbackAreProxied() {
    assertThat(LoopbackProxies.isProxied(PortMapping.parse("[::1]:8080:80"))).isTrue();
    assertThat(LoopbackProxies.isProxied(PortMapping.parse("[0:0:0:0:0:0:0:1]:8080:80/udp"))).isTrue();
    assertThat(LoopbackProxies.isProxied(PortMapping.parse("[::]:8080:80"))).isFalse();
    assertThat(LoopbackProxies.isProxied(PortMapping.parse("127.0.0.1:8080:80"))).isFalse();
    assertThat(LoopbackProxies.isProxied(PortMapping.parse("8080:80"))).isFalse();
    assertThat(LoopbackProxies.forwardedByPortmap(List.of(PortMapping.parse("[::1]:8080:80"),
        PortMapping.parse("8081:80")))).containsExactly(PortMapping.parse("8081:80"));
  }

  @Test
  void anAttachmentWithoutProxies_hasNoneRunning_andStoppingThemIsANoOp() {
    LoopbackProxies proxies = new LoopbackProxies(dir);
    AttachmentJournal.Item item = new AttachmentJournal.Item("net", "0123456789abcdef", "eth0");
    assertThat(proxies.running(item)).isEmpty();
    proxies.stopAll(item);
    proxies.apply(item, List.of(PortMapping.parse("8080:80")), "");
    assertThat(proxies.stopOrphans(Set.of())).isEmpty();
  }
}
