package dev.ignis.runtime.vm;

import dev.ignis.spi.Command;
import dev.ignis.spi.CommandResult;
import dev.ignis.spi.CommandRunner;
import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import dev.ignis.spi.PortMapping;
import dev.ignis.spi.Protocol;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The one owner of host-port conflicts, for every plugin: a VM's wanted host ports are checked
 * once, under a host-wide lock per port held until the ports are in place, against the ports of this
 * runtime's other VMs, programs listening on the host, and DNAT rules other runtimes' portmap
 * left in {@code CNI-HOSTPORT-DNAT} (Kubernetes pods, containerd, podman, or an Ignis VM whose
 * teardown is pending: a portmap rule has no listener to find). Thread-safe.
 */
public final class HostPorts {

  /**
   * One lock file per protocol and port, shared by every Ignis installation of the host: two
   * commands wanting one port take turns, commands on other ports never wait for each other.
   */
  static final Path HOST_LOCKS = Path.of("/run/lock/ignis-host-ports");
  private static final Duration LOCK_WAIT = Duration.ofSeconds(60);
  private static final Pattern DNAT_RULE = Pattern.compile("^-A CNI-HOSTPORT-DNAT .*-p (\\w+) .*--comment \"dnat name:"
      + " \\\\\"([^\\\\]*)\\\\\" id: \\\\\"([^\\\\]*)\\\\\"\" .*--dports (\\S+) ");

  private final CommandRunner commands;
  private final Path hostLocks;
  private final Path fallbackLocks;
  private final Function<PortMapping, String> listenerProbe;

  /** Ports as this host has them; {@code stateDir} holds the lock where {@code /run/lock} cannot. */
  public HostPorts(CommandRunner commands, Path stateDir) {
    this(commands, stateDir, HOST_LOCKS, HostPorts::bindProblem);
  }

  /**
   * The same with other host-wide locks and another listener probe (tests): the probe gives
   * empty if the port can be bound, else why not.
   */
  HostPorts(CommandRunner commands, Path stateDir, Path hostLocks, Function<PortMapping, String> listenerProbe) {
    this.commands = commands;
    this.hostLocks = hostLocks;
    this.fallbackLocks = stateDir.resolve("host-ports");
    this.listenerProbe = listenerProbe;
  }

  /** A held lock; closing releases it. */
  interface Hold extends AutoCloseable {
    @Override
    void close();
  }

  /**
   * The host-wide locks of the wanted ports, to hold from the check until the ports are in
   * place; none when no ports are wanted. Taken in one order (by file name), so two commands
   * never wait for each other in a circle.
   */
  Hold lockFor(List<PortMapping> wanted) {
    if (wanted.isEmpty()) {
      return () -> { };
    }
    Map<String, PortMapping> byFile = new TreeMap<>(); // protocol-port: one order for every command
    wanted.forEach(p -> byFile.putIfAbsent(p.protocol().label() + "-" + String.format(Locale.ROOT, "%05d", p.hostPort()), p));
    Path dir = lockDir();
    List<FileLock> held = new ArrayList<>();
    try {
      for (Map.Entry<String, PortMapping> port : byFile.entrySet()) {
        held.add(FileLock.acquire(dir.resolve(port.getKey() + ".lock"), LOCK_WAIT, "host port " + label(port.getValue())));
      }
    } catch (RuntimeException e) {
      release(held);
      throw e;
    }
    return () -> release(held);
  }

  /** /run/lock where it can be written (root), else the state dir. */
  private Path lockDir() {
    try {
      Path dir = Files.createDirectories(hostLocks);
      if (Files.isWritable(dir)) {
        return dir;
      }
    } catch (IOException notHere) {
      // not root: the state dir's locks still keep this installation's commands apart
    }
    try {
      return Files.createDirectories(fallbackLocks);
    } catch (IOException e) {
      throw new IgnisException(ErrorCode.IO_FAILURE, "cannot create " + fallbackLocks + ": " + e.getMessage(), e);
    }
  }

  private static void release(List<FileLock> held) {
    for (int i = held.size() - 1; i >= 0; i--) {
      held.get(i).close();
    }
  }

  /**
   * Throws {@link ErrorCode#BUSY} for the first of {@code vm}'s ports, not in {@code held}
   * already, that another VM of {@code all}, a listener or a foreign DNAT rule holds.
   */
  void check(Vm vm, List<Vm> all, List<PortMapping> held) {
    List<PortMapping> wanted = vm.spec().ports().stream().filter(p -> !held.contains(p)).toList();
    if (wanted.isEmpty()) {
      return;
    }
    for (Vm other : all) {
      if (other.id().equals(vm.id()) || other.status() == VmStatus.CREATED || other.status() == VmStatus.STOPPED) {
        continue;
      }
      List<PortMapping> theirs = other.publishedPorts();
      for (PortMapping mine : wanted) {
        if (theirs.stream().anyMatch(mine::clashesWith)) {
          throw new IgnisException(ErrorCode.BUSY, "host port " + label(mine) + " is already mapped to VM '"
              + other.name() + "'; pick another port or stop " + other.name());
        }
      }
    }
    Set<String> ours = all.stream().map(Vm::id).collect(Collectors.toSet());
    checkDnatRules(wanted, ours);
    for (PortMapping mine : wanted) {
      checkListener(mine);
    }
  }

  /** Ports forwarded by portmap rules of containers that are not VMs of this runtime. */
  private void checkDnatRules(List<PortMapping> wanted, Set<String> ours) {
    CommandResult rules;
    try {
      rules = commands.run(Command.of("iptables-save", "-t", "nat").withTimeout(Duration.ofSeconds(10)));
    } catch (IgnisException noIptables) {
      return; // no iptables on this host: no portmap rules either
    }
    if (!rules.succeeded()) {
      return;
    }
    for (String line : rules.stdout().lines().toList()) {
      Matcher rule = DNAT_RULE.matcher(line);
      if (!rule.find() || ours.contains(rule.group(3))) {
        continue;
      }
      for (PortMapping mine : wanted) {
        if (mine.protocol().label().equals(rule.group(1)) && covers(rule.group(4), mine.hostPort())) {
          throw new IgnisException(ErrorCode.BUSY, "host port " + label(mine) + " is still forwarded to container "
              + rule.group(3) + " of network '" + rule.group(2) + "' (a portmap DNAT rule in CNI-HOSTPORT-DNAT: another"
              + " runtime's, or an Ignis VM's whose teardown is pending, which 'runtime gc' finishes); pick another"
              + " host port");
        }
      }
    }
  }

  /** Whether multiport's {@code --dports} list (ports and ranges a:b) holds the port. */
  static boolean covers(String dports, int port) {
    for (String part : dports.split(",")) {
      String[] range = part.split(":");
      int low = Integer.parseInt(range[0]);
      int high = range.length > 1 ? Integer.parseInt(range[1]) : low;
      if (port >= low && port <= high) {
        return true;
      }
    }
    return false;
  }

  /** portmap adds DNAT rules and never notices a program listening on the port, whose clients would reach the VM. */
  private void checkListener(PortMapping mapping) {
    if (mapping.protocol() == Protocol.SCTP) {
      return;
    }
    String problem = listenerProbe.apply(mapping);
    if (problem.contains("in use")) {
      throw new IgnisException(ErrorCode.BUSY, "host port " + label(mapping) + " on " + mapping.hostIp()
          + " is in use by another program; pick another host port");
    }
    if (!problem.isEmpty()) {
      throw new IgnisException(ErrorCode.INVALID_ARGUMENT, "cannot publish on " + mapping.hostIp() + ":"
          + mapping.hostPort() + " (" + problem + "); use an address of this host or leave it out");
    }
  }

  /** Empty if the port can be bound now, else why not. */
  private static String bindProblem(PortMapping mapping) {
    InetSocketAddress address = new InetSocketAddress(mapping.hostIp(), mapping.hostPort());
    try {
      if (mapping.protocol() == Protocol.UDP) {
        try (DatagramSocket socket = new DatagramSocket(null)) {
          socket.bind(address);
        }
      } else {
        try (ServerSocket socket = new ServerSocket()) {
          // Reuse on: a listener still refuses the bind (Linux), while a connection of this
          // host in TIME_WAIT that happened to have this port as its own ephemeral one does not
          // (it holds no port a mapping needs; found by 16 concurrent runs on ports 34001-34016).
          socket.setReuseAddress(true);
          socket.bind(address);
        }
      }
      return "";
    } catch (IOException e) {
      String message = String.valueOf(e.getMessage());
      return message.toLowerCase(Locale.ROOT).contains("in use") ? "in use" : message;
    }
  }

  private static String label(PortMapping mapping) {
    return mapping.hostPort() + "/" + mapping.protocol().label();
  }
}
