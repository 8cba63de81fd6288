package dev.ignis.runtime.image.oci;

import dev.ignis.spi.Command;
import dev.ignis.spi.CommandRunner;
import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * What a VM of an imported image boots with besides the kernel: its own disk, a qcow2 overlay
 * on the image's ext4 file (copy-on-write: VMs of one image never see each other's writes), made
 * at its first start and kept until it is removed; and, at every boot, its launch file ({@code
 * /ignis/vm.env}, {@link ContainerLaunch}) to append to the default initrd.
 */
public final class ImageBoot {

  /** The VM's disk in its directory: a qcow2 overlay on the image's file. */
  public static final String DISK = "disk.qcow2";
  /** The VM's disk when it is larger than the image: a copy (a reflink where the file system has them), grown. */
  public static final String GROWN_DISK = "disk.raw";

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
  public void check(String imageId, String ssh, long diskSizeMib) {
    OciImages.Image image = images.find(imageId);
    long imageMib = (image.sizeBytes() + (1 << 20) - 1) >> 20;
    if (diskSizeMib != 0 && diskSizeMib < imageMib) {
      throw new IgnisException(ErrorCode.INVALID_ARGUMENT, "--size " + diskSizeMib + " MiB is smaller than image "
          + image.label() + " (" + imageMib + " MiB); a disk can be grown, not shrunk");
    }
    ContainerLaunch.envFile(image.label(), image.config(), image.init());
    if (!ssh.isEmpty() && !image.sshServer()) {
      throw new IgnisException(ErrorCode.INVALID_ARGUMENT, "image " + image.label() + " has no SSH server"
          + " (/usr/sbin/sshd); --ssh needs an image with one");
    }
  }

  /** Whether the VM's disk is made (it is at its first start). */
  public boolean hasDisk(Path vmDir) {
    return Files.exists(vmDir.resolve(DISK)) || Files.exists(vmDir.resolve(GROWN_DISK));
  }

  /**
   * The size of the VM's disk as its guest sees it, in bytes, once the disk is made: a qcow2
   * file's virtual size from its header, a raw file's length. Empty without a disk, or when the
   * file cannot be read.
   */
  public static java.util.OptionalLong diskSize(Path vmDir) {
    try {
      Path grown = vmDir.resolve(GROWN_DISK);
      if (Files.exists(grown)) {
        return java.util.OptionalLong.of(Files.size(grown));
      }
      Path qcow2 = vmDir.resolve(DISK);
      if (Files.notExists(qcow2)) {
        return java.util.OptionalLong.empty();
      }
      try (var channel = java.nio.channels.FileChannel.open(qcow2)) {
        java.nio.ByteBuffer header = java.nio.ByteBuffer.allocate(32); // magic, version, backing file, size at 24
        while (header.hasRemaining() && channel.read(header) > 0) {
          // reads the header
        }
        boolean qcow = header.position() == 32 && header.getInt(0) == 0x514649fb; // "QFI\xfb"
        return qcow ? java.util.OptionalLong.of(header.getLong(24)) : java.util.OptionalLong.empty();
      }
    } catch (java.io.IOException e) {
      return java.util.OptionalLong.empty();
    }
  }

  /**
   * The VM's disk, made on first use: a qcow2 file backed by the image's ext4 file; or, to be
   * larger than the image ({@code diskSizeMib}), a copy of that file grown with its file system.
   */
  public Path disk(String imageId, long diskSizeMib, Path vmDir) {
    Path grown = vmDir.resolve(GROWN_DISK);
    Path disk = vmDir.resolve(DISK);
    if (Files.exists(grown)) {
      return grown;
    }
    if (Files.exists(disk)) {
      return disk;
    }
    OciImages.Image image = images.find(imageId);
    if (diskSizeMib > 0 && diskSizeMib << 20 > image.sizeBytes()) {
      return grownDisk(image, diskSizeMib, grown);
    }
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

  private Path grownDisk(OciImages.Image image, long diskSizeMib, Path disk) {
    Path partial = disk.resolveSibling(disk.getFileName() + ".partial");
    String why = null;
    var copied = commands.run(Command.of("cp", "--reflink=auto", "--sparse=always", image.rootfs().toString(),
        partial.toString()).withTimeout(java.time.Duration.ofMinutes(10)));
    if (!copied.succeeded()) {
      why = "cannot copy image " + image.shortId() + ": " + firstLine(copied);
    } else {
      var grown = commands.run(Command.of("resize2fs", "-f", partial.toString(), diskSizeMib + "M")
          .withTimeout(java.time.Duration.ofMinutes(10)));
      if (!grown.succeeded()) {
        why = "cannot grow the disk to " + diskSizeMib + " MiB: " + firstLine(grown)
            + (grown.exitCode() == 127 ? " (install e2fsprogs)" : "");
      }
    }
    try {
      if (why != null) {
        Files.deleteIfExists(partial);
        throw new IgnisException(ErrorCode.PLUGIN_FAILED, why);
      }
      Files.move(partial, disk, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new IgnisException(ErrorCode.IO_FAILURE, "cannot make " + disk + ": " + e.getMessage(), e);
    }
    return disk;
  }

  private static String firstLine(dev.ignis.spi.CommandResult result) {
    return (result.stderr() + result.stdout()).strip().lines().findFirst().orElse("no output");
  }

  /**
   * The VM's launch file, and when {@code ssh} asks for access root's authorized key and the
   * VM's own host key, as a cpio archive to append to the default initrd.
   */
  public byte[] launchArchive(String imageId, String ssh, Path vmDir) {
    OciImages.Image image = images.find(imageId);
    String env = ContainerLaunch.envFile(image.label(), image.config(), image.init());
    dev.ignis.runtime.image.NewcCpio cpio = new dev.ignis.runtime.image.NewcCpio()
        .file("ignis/vm.env", env.getBytes(StandardCharsets.UTF_8), 0644);
    if (!ssh.isEmpty()) {
      String key = ssh.equals(dev.ignis.runtime.vm.VmSpec.GENERATED_KEY) ? SshKeys.publicKey(commands, vmDir) : ssh;
      cpio.file("ignis/authorized_keys", (key + "\n").getBytes(StandardCharsets.UTF_8), 0600);
      SshKeys.HostKey host = SshKeys.hostKey(commands, vmDir);
      cpio.file("ignis/ssh_host_ed25519_key", host.privateKey(), 0600);
      cpio.file("ignis/ssh_host_ed25519_key.pub", (host.publicKey() + "\n").getBytes(StandardCharsets.UTF_8), 0644);
    }
    return cpio.bytes();
  }
}
