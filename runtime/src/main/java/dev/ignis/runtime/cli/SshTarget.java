package dev.ignis.runtime.cli;

import dev.ignis.runtime.image.oci.SshKeys;
import dev.ignis.runtime.vm.Vm;
import dev.ignis.runtime.vm.VmSpec;
import dev.ignis.runtime.vm.VmStatus;
import dev.ignis.runtime.vm.VmStore;
import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import dev.ignis.spi.IpConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A running VM made with {@code --ssh}, as {@code ssh}, {@code exec} and {@code cp} reach it:
 * root at its first IPv4 address, with its own key pair when the runtime made one, its host key
 * trusted on first use and kept in its directory. Checked before ssh runs: one line if the VM
 * was made without --ssh, is not running, or answers nothing on port 22.
 */
record SshTarget(String name, String ip, Path vmDir, boolean ownKey) {

  static SshTarget of(RootCommand root, String reference) {
    Vm vm = root.service(VmStore.class).find(reference);
    if (vm.spec().ssh().isEmpty()) {
      throw new IgnisException(ErrorCode.INVALID_STATE, "VM '" + vm.name() + "' was made without --ssh; make one with"
          + " --ssh (and an image with an SSH server) to log in");
    }
    if (vm.status() != VmStatus.RUNNING) {
      throw new IgnisException(ErrorCode.INVALID_STATE, "VM '" + vm.name() + "' is " + vm.status().label()
          + "; start it first");
    }
    String ip = vm.attachment(0).flatMap(a -> a.guestNic()).stream().flatMap(nic -> nic.ips().stream())
        .map(IpConfig::ip).filter(address -> !address.contains(":")).findFirst()
        .orElseThrow(() -> new IgnisException(ErrorCode.INVALID_STATE, "VM '" + vm.name() + "' has no IPv4 address"
            + " to reach it over SSH"));
    try (Socket probe = new Socket()) {
      probe.connect(new InetSocketAddress(ip, 22), 3000);
    } catch (IOException e) {
      throw new IgnisException(ErrorCode.TRY_AGAIN_LATER, "VM '" + vm.name() + "' answers no SSH on " + ip + ":22 ("
          + e.getMessage() + "); its image's SSH server may not run");
    }
    return new SshTarget(vm.name(), ip, root.settings().vmsDir().resolve(vm.id()),
        vm.spec().ssh().equals(VmSpec.GENERATED_KEY));
  }

  /**
   * The options of ssh and scp for this VM: its host key is the one the runtime made for it,
   * written to known_hosts for its address now, and checked strictly; a VM made before Ignis
   * made host keys has its key trusted on first use.
   */
  List<String> options() {
    Path hostKey = SshKeys.hostKey(vmDir).resolveSibling(SshKeys.hostKey(vmDir).getFileName() + ".pub");
    String checking = "accept-new";
    if (Files.isReadable(hostKey)) {
      try {
        Files.writeString(SshKeys.knownHosts(vmDir), ip + " " + Files.readString(hostKey).strip() + "\n");
        checking = "yes";
      } catch (IOException e) {
        throw new IgnisException(ErrorCode.IO_FAILURE, "cannot write " + SshKeys.knownHosts(vmDir) + ": "
            + e.getMessage(), e);
      }
    }
    List<String> options = new ArrayList<>(List.of("-o", "UserKnownHostsFile=" + SshKeys.knownHosts(vmDir),
        "-o", "StrictHostKeyChecking=" + checking, "-o", "LogLevel=ERROR", "-o", "ConnectTimeout=10"));
    if (ownKey) {
      options.addAll(List.of("-i", SshKeys.privateKey(vmDir).toString(), "-o", "IdentitiesOnly=yes"));
    }
    return options;
  }

  /** {@code root@IP}. */
  String login() {
    return "root@" + ip;
  }

  /**
   * Runs ssh or scp and returns its exit status (the remote command's, or 255 for ssh's own
   * failures): with the process's terminal and standard input when the command's streams are
   * the process's own; else with no input and its output copied to the command's streams (a
   * command run inside another program, such as a test, whose standard input is not the user's).
   */
  static int run(List<String> argv, RootCommand root) {
    ProcessBuilder builder = new ProcessBuilder(argv);
    boolean own = root.out == System.out && root.err == System.err;
    if (own) {
      builder.inheritIO();
    } else {
      builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    }
    try {
      Process process = builder.start();
      if (!own) {
        Thread err = copy(process.getErrorStream(), root.err);
        copy(process.getInputStream(), root.out).join();
        err.join();
      }
      return process.waitFor();
    } catch (IOException e) {
      throw new IgnisException(ErrorCode.PLUGIN_NOT_AVAILABLE, "cannot run " + argv.get(0) + " (" + e.getMessage()
          + "); install openssh-client");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 130;
    }
  }

  private static Thread copy(InputStream in, PrintStream out) {
    Thread thread = new Thread(() -> {
      try {
        in.transferTo(out);
        out.flush();
      } catch (IOException ignored) {
        // the process went away
      }
    });
    thread.start();
    return thread;
  }
}
