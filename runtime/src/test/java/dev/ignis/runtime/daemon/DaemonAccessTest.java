package dev.ignis.runtime.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.Optional;
import jdk.net.UnixDomainPrincipal;
import org.junit.jupiter.api.Test;

/** Who may use ignisd, by the peer credentials the kernel gives. */
class DaemonAccessTest {

  private static final UserPrincipalLookupService USERS = FileSystems.getDefault().getUserPrincipalLookupService();

  private static UnixDomainPrincipal peer(String user, String group) throws IOException {
    return new UnixDomainPrincipal(USERS.lookupPrincipalByName(user), USERS.lookupPrincipalByGroupName(group));
  }

  @Test
  void itsOwnerAndRoot_only_unlessAGroupIsNamed() throws IOException {
    DaemonAccess ownerOnly = new DaemonAccess("nobody", Optional.empty());
    assertThat(ownerOnly.allows(peer("nobody", "nogroup"))).isTrue();
    assertThat(ownerOnly.allows(peer("root", "root"))).isTrue();
    assertThat(ownerOnly.allows(peer("daemon", "daemon"))).isFalse();
    assertThat(ownerOnly.socketMode()).isEqualTo("rw-------");
    assertThat(ownerOnly.dirMode()).isEqualTo("rwx------");

    DaemonAccess withGroup = new DaemonAccess("root", Optional.of("nogroup"));
    assertThat(withGroup.allows(peer("daemon", "nogroup"))).as("the group's member by its primary group").isTrue();
    assertThat(withGroup.allows(peer("daemon", "daemon"))).isFalse();
    assertThat(withGroup.socketMode()).isEqualTo("rw-rw----");
    assertThat(withGroup.dirMode()).isEqualTo("rwxr-x---");
  }
}
