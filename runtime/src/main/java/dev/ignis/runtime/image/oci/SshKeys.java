package dev.ignis.runtime.image.oci;

import dev.ignis.spi.Command;
import dev.ignis.spi.CommandRunner;
import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A VM's SSH keys in its directory's {@code ssh/} (0700), made by ssh-keygen on first use with
 * the private keys 0600: its own key pair ({@code --ssh} without a key, {@code id_ed25519}); its
 * host key ({@code ssh_host_ed25519_key}), which the initramfs installs as the guest's only one,
 * so that VMs of one image never share host keys and ssh trusts the VM's key without asking;
 * and the file ssh checks it with ({@code known_hosts}).
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

  /** The VM's host key (private); its public key is beside it, with {@code .pub}. */
  public static Path hostKey(Path vmDir) {
    return vmDir.resolve("ssh").resolve("ssh_host_ed25519_key");
  }

  /** The public key of the VM's pair, made first if it has none. */
  static String publicKey(CommandRunner commands, Path vmDir) {
    return made(commands, privateKey(vmDir), "ignis-vm");
  }

  /** The VM's host key pair, made first if it has none: the private key's bytes and the public key's line. */
  static HostKey hostKey(CommandRunner commands, Path vmDir) {
    String publicKey = made(commands, hostKey(vmDir), "ignis-vm-host");
    try {
      return new HostKey(Files.readAllBytes(hostKey(vmDir)), publicKey);
    } catch (IOException e) {
      throw new IgnisException(ErrorCode.IO_FAILURE, "cannot read " + hostKey(vmDir) + ": " + e.getMessage(), e);
    }
  }

  /** A host key pair. */
  record HostKey(byte[] privateKey, String publicKey) {}

  /** The public key of the pair in {@code key} (and {@code key.pub}), made first if there is none. */
  private static String made(CommandRunner commands, Path key, String comment) {
    try {
      if (!Files.exists(key)) {
        Files.createDirectories(key.getParent(), java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
            java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
        var result = commands.run(Command.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", comment,
            "-f", key.toString()));
        if (!result.succeeded()) {
          throw new IgnisException(ErrorCode.PLUGIN_FAILED, "cannot make the VM's SSH key " + key.getFileName() + ": "
              + (result.stderr() + result.stdout()).strip() + (result.exitCode() == 127
              ? " (install openssh-client)" : ""));
        }
      }
      return Files.readString(key.resolveSibling(key.getFileName() + ".pub")).strip();
    } catch (IOException e) {
      throw new IgnisException(ErrorCode.IO_FAILURE, "cannot read the VM's SSH key in " + key.getParent() + ": "
          + e.getMessage(), e);
    }
  }
}
