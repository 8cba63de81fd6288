package dev.ignis.runtime.guest;

import dev.ignis.spi.Command;
import dev.ignis.spi.CommandRunner;
import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import dev.ignis.spi.IpConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A DHCP server for one guest network card, for images that only speak DHCP: busybox udhcpd
 * inside the sandbox netns on the card's tap, whose pool is the one address the plugin gave the VM,
 * leased statically to the VM's MAC (the only MAC on that tap). Only DHCP requests from the
 * guest reach it: a tc filter ahead of the redirect to the plugin's interface classifies UDP
 * to port 67 without action, so those packets go up the sandbox's stack (the kernel here has
 * no gact module for an explicit "pass"); nothing of it goes beyond the tap. The nameservers
 * are the ones the runtime chose for the guest, announced by the first card's server only.
 */
public final class GuestDhcp {

  private static final String FILES = "udhcpd";
  /** The DHCP option carrying a card's IPv6 {@code ADDRESS/PREFIX [GATEWAY]}, as the default image reads it. */
  static final int IPV6_OPTION = 224;
  /** The DHCP option carrying every nameserver of the guest, of both families, space separated. */
  static final int DNS_OPTION = 225;
  private static final java.time.Duration PID_FILE_WAIT = java.time.Duration.ofSeconds(3);

  private final CommandRunner commands;

  @com.google.inject.Inject
  public GuestDhcp(CommandRunner commands) {
    this.commands = commands;
  }

  /**
   * Starts the server for the guest's card on {@code tap} in the netns. Only the first card's
   * server names a router: a guest has one default route.
   */
  public void serve(String netnsPath, Path vmDir, String tap, String mac, IpConfig ip, String gateway, List<String> dns,
      java.util.Optional<String> ipv6) {
    String files = filesOf(tap);
    String serverIp = gateway.isEmpty() ? ip.ip() : gateway;
    StringBuilder config = new StringBuilder()
        .append("interface ").append(tap).append('\n')
        .append("start ").append(ip.ip()).append('\n')
        .append("end ").append(ip.ip()).append('\n')
        .append("max_leases 1\n")
        .append("static_lease ").append(mac).append(' ').append(ip.ip()).append('\n')
        .append("lease_file ").append(vmDir.resolve(files + ".leases")).append('\n')
        .append("pidfile ").append(vmDir.resolve(files + ".pid")).append('\n')
        .append("option subnet ").append(netmask(ip.prefixLength())).append('\n')
        .append("option lease 86400\n");
    if (!gateway.isEmpty() && tap.equals(GuestLink.TAP)) {
      config.append("option router ").append(gateway).append('\n');
    }
    List<String> dns4 = dns.stream().filter(server -> !server.contains(":")).toList();
    if (!dns4.isEmpty()) {
      config.append("option dns ").append(String.join(" ", dns4)).append('\n');
    }
    // DHCP has no field for them: the card's IPv6 address and gateway, and nameservers of both
    // families, ride in options 224 and 225 (site specific), as text, which the default image's hook reads.
    ipv6.ifPresent(v6 -> siteOption(config, IPV6_OPTION, v6));
    if (!dns.isEmpty()) {
      siteOption(config, DNS_OPTION, String.join(" ", dns));
    }
    Path configFile = vmDir.resolve(files + ".conf");
    stop(vmDir.resolve(files + ".pid"), configFile); // one a crashed start left, so that the pid file awaited below is the new one's
    try {
      Files.writeString(configFile, config);
      Files.writeString(vmDir.resolve(files + ".leases"), "");
    } catch (IOException e) {
      throw new IgnisException(ErrorCode.IO_FAILURE, "cannot write " + configFile + ": " + e.getMessage(), e);
    }
    run(netnsPath, "ip", "addr", "replace", serverIp + "/32", "dev", tap);
    run(netnsPath, "tc", "filter", "add", "dev", tap, "parent", "ffff:", "prio", "1", "protocol", "ip",
        "u32", "match", "ip", "protocol", "17", "0xff", "match", "ip", "dport", "67", "0xffff", "flowid", "ffff:1");
    // Launched whole even when the command is cancelled meanwhile, and only done once the
    // daemon wrote its pid file (it forks first): else a rollback could not find it to stop it.
    dev.ignis.runtime.exec.Uninterruptibly.call("udhcpd-start", () -> {
      commands.run(Command.of("busybox", "udhcpd", configFile.toString())
          .inNetns(netnsPath)).orThrow(ErrorCode.PLUGIN_NOT_AVAILABLE);
      awaitPidFile(vmDir.resolve(files + ".pid"));
      return null;
    });
  }

  private static void siteOption(StringBuilder config, int option, String text) {
    config.append("option 0x").append(Integer.toHexString(option)).append(' ')
        .append(java.util.HexFormat.of().formatHex(text.getBytes(StandardCharsets.US_ASCII))).append('\n');
  }

  /** The first card's files are named as before VMs had several: {@code udhcpd.*}. */
  private static String filesOf(String tap) {
    return tap.equals(GuestLink.TAP) ? FILES : FILES + "-" + tap;
  }

  private static void awaitPidFile(Path pidFile) {
    long deadline = System.nanoTime() + PID_FILE_WAIT.toNanos();
    while (!hasPid(pidFile)) {
      if (System.nanoTime() > deadline) {
        throw new IgnisException(ErrorCode.PLUGIN_FAILED, "the guest's DHCP server (busybox udhcpd) wrote no pid file "
            + pidFile + " within " + PID_FILE_WAIT.toMillis() + " ms");
      }
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IgnisException(ErrorCode.TRY_AGAIN_LATER, "interrupted while waiting for udhcpd", e);
      }
    }
  }

  private static boolean hasPid(Path pidFile) {
    try {
      return Files.readString(pidFile).strip().matches("[0-9]+");
    } catch (IOException e) {
      return false;
    }
  }

  /** Stops the servers of the VM's cards, if they run, and waits until they are gone. Idempotent. */
  public void stop(Path vmDir) {
    try (var files = Files.newDirectoryStream(vmDir, FILES + "*.pid")) {
      for (Path pidFile : files) {
        String name = pidFile.getFileName().toString();
        stop(pidFile, vmDir.resolve(name.substring(0, name.length() - ".pid".length()) + ".conf"));
      }
    } catch (IOException e) {
      // no directory: nothing runs
    }
  }

  private static void stop(Path pidFile, Path config) {
    try {
      long pid = Long.parseLong(Files.readString(pidFile).strip());
      if (isServing(pid, config)) {
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        long deadline = System.nanoTime() + PID_FILE_WAIT.toNanos();
        while (isServing(pid, config) && System.nanoTime() < deadline) {
          java.util.concurrent.locks.LockSupport.parkNanos(5_000_000);
        }
      }
      Files.deleteIfExists(pidFile);
    } catch (IOException | NumberFormatException e) {
      // not running
    }
  }

  /** Whether the process is the udhcpd of that config (a killed one has no command line left, even as a zombie). */
  private static boolean isServing(long pid, Path config) {
    try {
      String cmdline = Files.readString(Path.of("/proc", String.valueOf(pid), "cmdline"), StandardCharsets.ISO_8859_1);
      return cmdline.contains(config.toString());
    } catch (IOException e) {
      return false;
    }
  }

  static String netmask(int prefix) {
    long mask = prefix == 0 ? 0 : 0xffffffffL << (32 - prefix) & 0xffffffffL;
    return (mask >> 24 & 255) + "." + (mask >> 16 & 255) + "." + (mask >> 8 & 255) + "." + (mask & 255);
  }

  private void run(String netnsPath, String... argv) {
    commands.run(Command.of(argv).inNetns(netnsPath)).orThrow(ErrorCode.INVALID_NETNS);
  }
}
