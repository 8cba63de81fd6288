package dev.ignis.runtime.guest;

import dev.ignis.spi.Command;
import dev.ignis.spi.CommandRunner;
import dev.ignis.spi.ErrorCode;
import java.util.List;

/**
 * Joins the plugin's interface in the sandbox to the guest's tap, as Kata and tc-redirect-tap
 * do: everything arriving on one is redirected (tc mirred) out of the other, both ways, so the
 * guest owns the interface's MAC and IP and the sandbox's own stack never sees their traffic.
 * The interface keeps the addresses and routes the plugin gave it, so that other CNI tools find
 * it as the plugin left it (libcni's CHECK matches them; the bridge plugin's DEL removes its
 * masquerade rules by them). Everything lives in the sandbox netns and goes with it.
 */
public final class GuestLink {

  /** The tap of the guest's first network card. */
  public static final String TAP = tap(0);

  /** The tap of the guest's {@code index}th network card ({@code tap0}, {@code tap1}, ...). */
  public static String tap(int index) {
    return "tap" + index;
  }

  private final CommandRunner commands;

  @com.google.inject.Inject
  public GuestLink(CommandRunner commands) {
    this.commands = commands;
  }

  /**
   * Makes the tap and the redirects. Two processes, one {@code ip -batch} and one {@code tc
   * -batch}, entered into the sandbox by path (a runtime-made {@code /run/netns} name or a
   * plugin's own sandbox, such as Docker's).
   */
  public void connect(String netnsPath, String ifName, String tap) {
    createTaps(netnsPath, List.of(tap));
    joinTap(netnsPath, ifName, tap);
  }

  /** The taps alone, leading nowhere yet: a guest can start on them while its networks are attached. */
  public void createTaps(String netnsPath, List<String> taps) {
    StringBuilder lines = new StringBuilder();
    taps.forEach(tap -> lines.append("tuntap add ").append(tap).append(" mode tap\nlink set ").append(tap)
        .append(" up\n"));
    run(netnsPath, "ip", lines.toString());
  }

  /** Removes taps alone (a guest started on them is gone). Idempotent. */
  public void deleteTaps(String netnsPath, List<String> taps) {
    StringBuilder lines = new StringBuilder();
    taps.forEach(tap -> lines.append("link delete ").append(tap).append('\n'));
    commands.run(batch("ip", lines.toString()).inNetns(netnsPath));
  }

  /** The redirects between a tap made before and the plugin's interface. */
  public void joinTap(String netnsPath, String ifName, String tap) {
    run(netnsPath, "tc", redirect(ifName, tap) + redirect(tap, ifName));
  }

  /**
   * Undoes {@link #connect}: the redirects and the tap go. The addresses are put back on the
   * interface as well, for sandboxes linked by earlier versions, which moved them off it.
   * Idempotent.
   */
  public void disconnect(String netnsPath, String ifName, String tap, List<String> cidrs) {
    StringBuilder ipLines = new StringBuilder("link delete " + tap + "\n");
    cidrs.forEach(cidr -> ipLines.append("addr replace ").append(cidr).append(" dev ").append(ifName).append('\n'));
    commands.run(batch("tc", "qdisc del dev " + ifName + " ingress\n").inNetns(netnsPath));
    commands.run(batch("ip", ipLines.toString()).inNetns(netnsPath));
  }

  private static String redirect(String from, String to) {
    return "qdisc add dev " + from + " ingress\n"
        + "filter add dev " + from + " parent ffff: protocol all u32 match u8 0 0 action mirred egress redirect dev "
        + to + "\n";
  }

  /** {@code ip} or {@code tc} running the lines on standard input; with -force it goes on after a failed line. */
  private static Command batch(String tool, String lines) {
    return Command.of(tool, "-force", "-batch", "-").withStdin(lines);
  }

  private void run(String netnsPath, String tool, String lines) {
    commands.run(Command.of(tool, "-batch", "-").withStdin(lines).inNetns(netnsPath)).orThrow(ErrorCode.INVALID_NETNS);
  }
}
