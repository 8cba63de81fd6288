package dev.ignis.runtime.guest;

import dev.ignis.spi.Command;
import dev.ignis.spi.CommandRunner;
import dev.ignis.spi.ErrorCode;

/**
 * Joins the plugin's interface in the sandbox to the guest's tap, as Kata and tc-redirect-tap
 * do: everything arriving on one is redirected (tc mirred) out of the other, both ways, so the
 * guest owns the interface's MAC and IP and the sandbox's own stack never answers for them.
 * Everything lives in the sandbox netns and goes with it.
 */
public final class GuestLink {

  /** The tap the guest's NIC uses. */
  public static final String TAP = "tap0";

  private final CommandRunner commands;

  public GuestLink(CommandRunner commands) {
    this.commands = commands;
  }

  /** Makes the tap and the redirects; hands the interface's addresses over to the guest. */
  public void connect(String netns, String ifName) {
    run("ip", "-n", netns, "tuntap", "add", TAP, "mode", "tap");
    run("ip", "-n", netns, "link", "set", TAP, "up");
    run("ip", "-n", netns, "addr", "flush", "dev", ifName);
    redirect(netns, ifName, TAP);
    redirect(netns, TAP, ifName);
  }

  /**
   * Undoes {@link #connect}: the redirects and the tap go and the interface gets its
   * addresses back, so that the plugin's DEL finds what its ADD made (the bridge plugin tears
   * down ipMasq rules by the addresses it finds on the interface). Idempotent.
   */
  public void disconnect(String netns, String ifName, java.util.List<String> cidrs) {
    commands.run(Command.of("tc", "-n", netns, "qdisc", "del", "dev", ifName, "ingress"));
    commands.run(Command.of("ip", "-n", netns, "link", "delete", TAP));
    for (String cidr : cidrs) {
      commands.run(Command.of("ip", "-n", netns, "addr", "replace", cidr, "dev", ifName));
    }
  }

  private void redirect(String netns, String from, String to) {
    run("tc", "-n", netns, "qdisc", "add", "dev", from, "ingress");
    run("tc", "-n", netns, "filter", "add", "dev", from, "parent", "ffff:", "protocol", "all", "u32", "match", "u8", "0",
        "0", "action", "mirred", "egress", "redirect", "dev", to);
  }

  private void run(String... argv) {
    commands.run(Command.of(argv)).orThrow(ErrorCode.INVALID_NETNS);
  }
}
