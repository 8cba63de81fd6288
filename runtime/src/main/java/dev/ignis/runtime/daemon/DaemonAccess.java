package dev.ignis.runtime.daemon;

import dev.ignis.runtime.config.Settings;
import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import java.io.IOException;
import jdk.net.UnixDomainPrincipal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.util.Arrays;
import java.util.Optional;

/**
 * Who may use an ignisd: the user it runs as and root, and, when the {@code daemon.group}
 * setting names a group, that group's members (its socket and directory are then the group's,
 * mode 0660 and 0750). The socket's mode keeps others from connecting; the peer's credentials,
 * from the kernel, are checked on every connection all the same.
 *
 * @param owner the user ignisd runs as
 * @param group the group whose members may use it too, if any
 */
record DaemonAccess(String owner, Optional<String> group) {

  static DaemonAccess of(Settings settings) {
    Optional<String> group = Optional.ofNullable(settings.environment().get("IGNIS_DAEMON_GROUP"))
        .or(() -> Optional.ofNullable(settings.properties().get("daemon.group")))
        .map(String::strip).filter(g -> !g.isEmpty());
    return new DaemonAccess(System.getProperty("user.name"), group);
  }

  String dirMode() {
    return group.isPresent() ? "rwxr-x---" : "rwx------";
  }

  String socketMode() {
    return group.isPresent() ? "rw-rw----" : "rw-------";
  }

  boolean allows(UnixDomainPrincipal peer) {
    String user = peer.user().getName();
    if (user.equals(owner) || user.equals("root")) {
      return true;
    }
    return group.isPresent() && (peer.group().getName().equals(group.get()) || members(group.get()).contains(user));
  }

  /** Gives the file to the group, if one is set. */
  void applyGroup(Path file) {
    if (group.isEmpty()) {
      return;
    }
    try {
      GroupPrincipal principal = file.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByGroupName(group.get());
      Files.getFileAttributeView(file, PosixFileAttributeView.class).setGroup(principal);
    } catch (IOException e) {
      throw new IgnisException(ErrorCode.INVALID_ARGUMENT, "cannot give " + file + " to group '" + group.get() + "' ("
          + e.getMessage() + "); fix daemon.group or create the group");
    }
  }

  /** The supplementary members of a group, from /etc/group. */
  private static java.util.List<String> members(String group) {
    try {
      return Files.readAllLines(Path.of("/etc/group")).stream()
          .map(line -> line.split(":", -1))
          .filter(fields -> fields.length == 4 && fields[0].equals(group))
          .flatMap(fields -> Arrays.stream(fields[3].split(",")))
          .toList();
    } catch (IOException e) {
      return java.util.List.of();
    }
  }
}
