package dev.ignis.runtime.image.oci;

import dev.ignis.spi.Command;
import dev.ignis.spi.CommandRunner;
import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A VM's own SSH key pair ({@code --ssh} without a key): {@code ssh/id_ed25519} in its directory,
 * made by ssh-keygen on first use, the private key 0600 and the directory 0700; and the file of
 * host keys it showed ({@code ssh/known_hosts}, first seen, first trusted).
 */
public final class SshKeys {

  private SshKeys() {}

  /** The VM's private key file. */
  public static Path privateKey(Path vmDir) {
    return vmDir.resolve("ssh").resolve("id_ed25519");
  }

  /** The file of the VM's host keys as ssh saw them. */
  public static Path knownHosts(Path vmDir) {
    return vmDir.resolve("ssh").resolve("known_hosts");
  }

  /** The public key of the VM's pair, made first if it has none. */
  static String publicKey(CommandRunner commands, Path vmDir) {
    Path key = privateKey(vmDir);
    try {
      if (!Files.exists(key)) {
        Files.createDirectories(key.getParent(), java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
            java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
        var result = commands.run(Command.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "ignis-vm",
            "-f", key.toString()));
        if (!result.succeeded()) {
          throw new IgnisException(ErrorCode.PLUGIN_FAILED, "cannot make the VM's SSH key pair: "
              + (result.stderr() + result.stdout()).strip() + (result.exitCode() == 127
              ? " (install openssh-client)" : ""));
        }
      }
      return Files.readString(key.resolveSibling("id_ed25519.pub")).strip();
    } catch (IOException e) {
      throw new IgnisException(ErrorCode.IO_FAILURE, "cannot read the VM's SSH key in " + key.getParent() + ": "
          + e.getMessage(), e);
    }
  }
}
