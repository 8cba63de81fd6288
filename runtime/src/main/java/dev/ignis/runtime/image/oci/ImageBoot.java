package dev.ignis.runtime.image.oci;

import dev.ignis.spi.Command;
import dev.ignis.spi.CommandRunner;
import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * What a VM of an imported image boots with besides the kernel: its own disk, a qcow2 overlay
 * on the image's ext4 file (copy-on-write: VMs of one image never see each other's writes), made
 * at its first start and kept until it is removed; and, at every boot, the default initrd with the
 * VM's launch file appended ({@code /ignis/vm.env}, {@link ContainerLaunch}).
 */
public final class ImageBoot {

  /** The VM's disk in its directory. */
  public static final String DISK = "disk.qcow2";
  private static final String INITRD = "initrd.img";

  private final OciImages images;
  private final CommandRunner commands;

  public ImageBoot(OciImages images, CommandRunner commands) {
    this.images = images;
    this.commands = commands;
  }

  /**
   * Throws, before anything changes, unless the image exists and names a command to run (or
   * has its own init), and has an SSH server if {@code ssh} asks for access.
   */
  public void check(String imageId, String ssh) {
    OciImages.Image image = images.find(imageId);
    ContainerLaunch.envFile(image.label(), image.config(), image.init());
    if (!ssh.isEmpty() && !image.sshServer()) {
      throw new IgnisException(ErrorCode.INVALID_ARGUMENT, "image " + image.label() + " has no SSH server"
          + " (/usr/sbin/sshd); --ssh needs an image with one");
    }
  }

  /** The VM's disk, made on first use: a qcow2 file backed by the image's ext4 file. */
  public Path disk(String imageId, Path vmDir) {
    Path disk = vmDir.resolve(DISK);
    if (Files.exists(disk)) {
      return disk;
    }
    OciImages.Image image = images.find(imageId);
    Path partial = vmDir.resolve(DISK + ".partial"); // a crash mid-way leaves no half disk under the real name
    var result = commands.run(Command.of("qemu-img", "create", "-q", "-f", "qcow2", "-F", "raw", "-b",
        image.rootfs().toString(), partial.toString()));
    if (!result.succeeded()) {
      throw new IgnisException(ErrorCode.PLUGIN_FAILED, "cannot make the disk of the VM from image " + image.shortId()
          + ": " + (result.stderr() + result.stdout()).strip().lines().findFirst().orElse("qemu-img failed")
          + (result.exitCode() == 127 ? " (install qemu-utils)" : ""));
    }
    try {
      Files.move(partial, disk, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new IgnisException(ErrorCode.IO_FAILURE, "cannot make " + disk + ": " + e.getMessage(), e);
    }
    return disk;
  }

  /**
   * The default initrd with the VM's launch file appended, and root's authorized key when
   * {@code ssh} asks for access, written to the VM's directory.
   */
  public Path initrd(String imageId, String ssh, Path baseInitrd, Path vmDir) {
    OciImages.Image image = images.find(imageId);
    String env = ContainerLaunch.envFile(image.label(), image.config(), image.init());
    NewcCpio cpio = new NewcCpio().file("ignis/vm.env", env.getBytes(StandardCharsets.UTF_8), 0644);
    if (!ssh.isEmpty()) {
      String key = ssh.equals(dev.ignis.runtime.vm.VmSpec.GENERATED_KEY) ? SshKeys.publicKey(commands, vmDir) : ssh;
      cpio.file("ignis/authorized_keys", (key + "\n").getBytes(StandardCharsets.UTF_8), 0600);
    }
    byte[] launch = cpio.bytes();
    Path initrd = vmDir.resolve(INITRD);
    try (OutputStream out = Files.newOutputStream(initrd, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
        StandardOpenOption.WRITE)) {
      Files.copy(baseInitrd, out);
      long size = Files.size(baseInitrd);
      out.write(new byte[(int) ((4 - size % 4) % 4)]); // each archive starts on a 4-byte boundary
      out.write(launch);
    } catch (IOException e) {
      throw new IgnisException(ErrorCode.IO_FAILURE, "cannot write " + initrd + ": " + e.getMessage(), e);
    }
    return initrd;
  }
}
