package dev.ignis.plugin.cni;

import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import dev.ignis.spi.PortMapping;
import dev.ignis.spi.Protocol;
import java.io.File;
import java.io.IOException;
import java.net.Inet6Address;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ports published on IPv6 loopback ({@code [::1]:8080:80}), forwarded by a userspace proxy as
 * Docker's docker-proxy does: CNI's portmap cannot, since its DNAT from ::1 never arrives (Linux
 * has no {@code route_localnet} for IPv6: a packet from ::1 may not leave the host).
 *
 * <p>One {@code socat} per port, in a session of its own so a Ctrl-C of the command that
 * started it does not stop it, listening on {@code [::1]:hostPort} and connecting to the VM's
 * address on each connection (UDP: each peer, idle for 90 s at most). No pid file: a proxy is
 * known by its log file, {@code proxies/<attachment key>/<proto>-<hostPort>-<vmPort>.log} in the
 * plugin's state dir, named on its command line, so the proxies of an attachment are found — and
 * only they are stopped — also after a crash between starting one and recording anything.
 */
final class LoopbackProxies {

  private static final Logger log = LoggerFactory.getLogger(LoopbackProxies.class);
  private static final String PROGRAM = "socat";
  private static final long START_TIMEOUT_MS = 3_000;
  private static final long STOP_TIMEOUT_MS = 3_000;

  private final Path dir;

  LoopbackProxies(Path stateDir) {
    this.dir = stateDir.resolve("proxies");
  }

  /** Whether a port is published on IPv6 loopback, which only a proxy forwards. */
  static boolean isProxied(PortMapping port) {
    return IpamRanges.address(port.hostIp()) instanceof Inet6Address address && address.isLoopbackAddress();
  }

  /** The ports portmap forwards: all but those on IPv6 loopback. */
  static List<PortMapping> forwardedByPortmap(List<PortMapping> ports) {
    return ports.stream().filter(port -> !isProxied(port)).toList();
  }

  /** Throws, naming what to install, if a port needs the proxy and it is missing; changes nothing. */
  static void checkAvailable(List<PortMapping> ports) {
    Optional<PortMapping> proxied = ports.stream().filter(LoopbackProxies::isProxied).findFirst();
    if (proxied.isPresent() && program().isEmpty()) {
      throw new IgnisException(ErrorCode.NOT_SUPPORTED, "port " + proxied.get() + " needs socat, which forwards"
          + " IPv6 loopback ports (portmap cannot: Linux has no route_localnet for IPv6), and none is on PATH;"
          + " install it (apt-get install socat) or publish on " + proxied.get().withHostIp("::") + " or 127.0.0.1");
    }
  }

  private static Optional<Path> program() {
    String path = Optional.ofNullable(System.getenv("PATH")).orElse("/usr/local/bin:/usr/bin:/bin");
    return Stream.of(path.split(File.pathSeparator)).filter(d -> !d.isEmpty()).map(d -> Path.of(d, PROGRAM))
        .filter(Files::isExecutable).findFirst();
  }

  /**
   * Starts a proxy for each proxied port of {@code wanted} not running yet, to {@code vmIp}; once
   * every one listens, stops those of ports no longer wanted. A proxy that cannot listen (the
   * port is taken) fails the call, and those this call started are stopped again.
   */
  void apply(AttachmentJournal.Item item, List<PortMapping> wanted, String vmIp) {
    if (wanted.stream().noneMatch(LoopbackProxies::isProxied) && !Files.isDirectory(dir.resolve(item.key()))) {
      return; // none wanted, none ever started (each proxy's directory is made before it starts)
    }
    Set<PortMapping> running = new HashSet<>(running(item));
    List<PortMapping> started = new ArrayList<>();
    try {
      for (PortMapping port : wanted) {
        if (isProxied(port) && !running.contains(port)) {
          start(item, port, vmIp);
          started.add(port);
        }
      }
    } catch (IgnisException e) {
      started.forEach(port -> stop(item, port));
      throw e;
    }
    for (PortMapping port : running) {
      if (!wanted.contains(port)) {
        stop(item, port);
      }
    }
  }

  /** Stops every proxy of an attachment; idempotent. */
  void stopAll(AttachmentJournal.Item item) {
    running(item).forEach(port -> stop(item, port));
    deleteQuietly(dir.resolve(item.key()));
  }

  /** Stops the proxies of attachments the journal no longer holds (a crash after DEL); returns their ports. */
  List<String> stopOrphans(Set<String> journalledKeys) {
    List<String> stopped = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return stopped; // no proxy was ever started here
    }
    for (Proxy proxy : proxies()) {
      String key = proxy.logFile().getParent().getFileName().toString();
      if (!journalledKeys.contains(key)) {
        kill(proxy);
        stopped.add("stopped the IPv6 loopback proxy of port " + proxy.port() + " of a deleted attachment (" + key + ")");
      }
    }
    return stopped;
  }

  /** The proxied ports of an attachment whose proxy runs. */
  List<PortMapping> running(AttachmentJournal.Item item) {
    Path own = dir.resolve(item.key());
    if (!Files.isDirectory(own)) {
      return List.of(); // made before its first proxy starts, removed after its last one stopped
    }
    return proxies().stream().filter(p -> p.logFile().getParent().equals(own)).map(Proxy::port).distinct().toList();
  }

  private void start(AttachmentJournal.Item item, PortMapping port, String vmIp) {
    checkAvailable(List.of(port));
    Path program = program().orElseThrow();
    Path logFile = logFileOf(item, port);
    try {
      Files.createDirectories(logFile.getParent());
      Files.deleteIfExists(logFile);
      String target = vmIp.contains(":") ? "[" + vmIp + "]" : vmIp;
      String proto = port.protocol().label();
      List<String> argv = new ArrayList<>(List.of("setsid", program.toString(), "-lf", logFile.toString()));
      if (port.protocol() == Protocol.UDP) {
        argv.addAll(List.of("-T", "90"));
      }
      argv.add(proto + "6-listen:" + port.hostPort() + ",bind=[::1],reuseaddr,fork");
      argv.add(proto + (port.protocol() == Protocol.UDP ? ":" : "-connect:") + target + ":" + port.vmPort());
      new ProcessBuilder(argv).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    } catch (IOException e) {
      throw new IgnisException(ErrorCode.IO_FAILURE, "port " + port + ": cannot start its proxy: " + e.getMessage(), e);
    }
    awaitListening(item, port, logFile);
    log.debug("VM {}: port {} proxied to {}", item.containerId(), port, vmIp);
  }

  private void awaitListening(AttachmentJournal.Item item, PortMapping port, Path logFile) {
    long deadline = System.currentTimeMillis() + START_TIMEOUT_MS;
    long started = System.currentTimeMillis();
    while (System.currentTimeMillis() < deadline) {
      boolean alive = running(item).contains(port);
      if (alive && (ProcSockets.listens(port.protocol(), port.hostPort())
          || port.protocol() == Protocol.SCTP && System.currentTimeMillis() - started > 300)) {
        return;
      }
      if (!alive && System.currentTimeMillis() - started > 200) {
        break; // gone: it logged why
      }
      if (!sleep(20)) {
        stop(item, port);
        throw new IgnisException(ErrorCode.TRY_AGAIN_LATER, "port " + port + ": interrupted while its proxy started");
      }
    }
    String why = lastLine(logFile).orElse("socat did not listen within " + START_TIMEOUT_MS + " ms");
    stop(item, port);
    throw new IgnisException(why.contains("in use") ? ErrorCode.ALREADY_EXISTS : ErrorCode.PLUGIN_FAILED, "port "
        + port + ": cannot listen on [::1]:" + port.hostPort() + " (" + why + "); pick another host port");
  }

  private void stop(AttachmentJournal.Item item, PortMapping port) {
    Path logFile = logFileOf(item, port);
    proxies().stream().filter(p -> p.logFile().equals(logFile)).forEach(LoopbackProxies::kill);
    deleteQuietly(logFile);
  }

  /** SIGTERM, then SIGKILL after a while; returns once it is gone. */
  private static void kill(Proxy proxy) {
    Optional<ProcessHandle> handle = ProcessHandle.of(proxy.pid());
    if (handle.isEmpty()) {
      return;
    }
    handle.get().destroy();
    long deadline = System.currentTimeMillis() + STOP_TIMEOUT_MS;
    while (handle.get().isAlive() && System.currentTimeMillis() < deadline && sleep(10)) {
      // until it is gone; an interrupt ends the wait, not the stop
    }
    if (handle.get().isAlive()) {
      handle.get().destroyForcibly();
    }
  }

  private Path logFileOf(AttachmentJournal.Item item, PortMapping port) {
    return dir.resolve(item.key()).resolve(port.protocol().label() + "-" + port.hostPort() + "-" + port.vmPort() + ".log");
  }

  /** A running proxy of this installation: a socat (or a child it forked) whose log file is under {@link #dir}. */
  private record Proxy(long pid, Path logFile, PortMapping port) {}

  private List<Proxy> proxies() {
    List<Proxy> found = new ArrayList<>();
    try (Stream<Path> entries = Files.list(Path.of("/proc"))) {
      for (Path entry : entries.toList()) {
        String name = entry.getFileName().toString();
        if (name.chars().allMatch(Character::isDigit)) {
          proxyOf(Long.parseLong(name), entry.resolve("cmdline")).ifPresent(found::add);
        }
      }
    } catch (IOException e) {
      throw new IgnisException(ErrorCode.IO_FAILURE, "cannot list processes in /proc: " + e.getMessage(), e);
    }
    return found;
  }

  private Optional<Proxy> proxyOf(long pid, Path cmdline) {
    List<String> argv;
    try {
      String text = new String(Files.readAllBytes(cmdline), StandardCharsets.UTF_8);
      if (!text.contains(PROGRAM) || !text.contains(dir.toString())) {
        return Optional.empty(); // most processes: not read further
      }
      argv = List.of(text.split("\0"));
    } catch (IOException gone) {
      return Optional.empty();
    }
    try {
      return proxyOf(pid, argv);
    } catch (RuntimeException notOurs) { // a command line that is no path, or a process that is not a proxy
      return Optional.empty();
    }
  }

  private Optional<Proxy> proxyOf(long pid, List<String> argv) {
    int flag = argv.indexOf("-lf");
    Path program = Path.of(argv.get(0)).getFileName();
    if (program == null || !program.toString().equals(PROGRAM) || flag < 0
        || flag + 1 >= argv.size()) {
      return Optional.empty();
    }
    Path logFile = Path.of(argv.get(flag + 1));
    if (!logFile.startsWith(dir) || logFile.getNameCount() != dir.getNameCount() + 2) {
      return Optional.empty();
    }
    String[] parts = logFile.getFileName().toString().replaceFirst("\\.log$", "").split("-");
    try {
      return Optional.of(new Proxy(pid, logFile, PortMapping.of("::1", Integer.parseInt(parts[1]),
          Integer.parseInt(parts[2]), Protocol.parse(parts[0]))));
    } catch (RuntimeException notOurs) {
      return Optional.empty();
    }
  }

  private static Optional<String> lastLine(Path file) {
    try {
      List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      return lines.isEmpty() ? Optional.empty() : Optional.of(lines.get(lines.size() - 1)
          .replaceFirst("^\\S+ \\S+ socat\\[\\d+\\] [EFWN] ", ""));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private static void deleteQuietly(Path path) {
    try {
      if (Files.isDirectory(path)) {
        try (Stream<Path> files = Files.list(path)) {
          for (Path file : files.toList()) {
            Files.deleteIfExists(file);
          }
        }
      }
      Files.deleteIfExists(path);
    } catch (IOException e) {
      log.debug("cannot remove {}: {}", path, e.getMessage());
    }
  }

  /** False if interrupted (the interrupt stays set). */
  private static boolean sleep(long millis) {
    try {
      Thread.sleep(millis);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
