package dev.ignis.runtime.guest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostResolversTest {

  @TempDir
  Path dir;

  private HostResolvers resolvers(String resolvConf, String resolvedUpstream) throws Exception {
    Path conf = Files.writeString(dir.resolve("resolv.conf"), resolvConf);
    Path upstream = dir.resolve("upstream.conf");
    if (resolvedUpstream != null) {
      Files.writeString(upstream, resolvedUpstream);
    }
    return new HostResolvers(conf, List.of(upstream, dir.resolve("absent.conf")));
  }

  @Test
  void plainServersAreTakenInOrder_zonedLinkLocalAndNamesAreNot() throws Exception {
    HostResolvers.Answer answer = resolvers("""
        # generated
        search example.internal
        nameserver 192.0.2.53
        nameserver fe80::1%eth0
        nameserver resolver.example
        nameserver 2001:db8::53
        options edns0
        """, "nameserver 198.51.100.1\n").servers();
    assertThat(answer.servers()).containsExactly("192.0.2.53", "2001:db8::53");
    assertThat(answer.loopbackStubs()).as("no stub: the upstream list is not read").isEmpty();
  }

  @Test
  void aLoopbackStub_standsForItsDaemonsUpstreams() throws Exception {
    HostResolvers.Answer answer = resolvers("nameserver 127.0.0.53\noptions edns0 trust-ad\n",
        "nameserver 192.0.2.1\nnameserver 127.0.0.1\nnameserver 192.0.2.2\n").servers();
    assertThat(answer.servers()).containsExactly("192.0.2.1", "192.0.2.2");
    assertThat(answer.loopbackStubs()).containsExactly("127.0.0.53");
  }

  @Test
  void aStubWithoutUpstreamList_orNoFileAtAll_givesNone_neverAPublicResolver() throws Exception {
    assertThat(resolvers("nameserver 127.0.0.1\nnameserver ::1\n", null).servers().servers()).isEmpty();
    assertThat(new HostResolvers(dir.resolve("none"), List.of()).servers().servers()).isEmpty();
  }
}
