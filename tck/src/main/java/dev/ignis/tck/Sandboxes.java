package dev.ignis.tck;

import dev.ignis.spi.Command;
import dev.ignis.spi.CommandRunner;
import dev.ignis.spi.ErrorCode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Network namespaces the kit makes for VMs, as the runtime would ({@code /run/netns/<name>}),
 * with unique names; {@link #close} removes every one still there.
 */
final class Sandboxes implements AutoCloseable {

  private static final SecureRandom RANDOM = new SecureRandom();

  private final CommandRunner commands;
  private final List<String> made = new ArrayList<>();

  Sandboxes(CommandRunner commands) {
    this.commands = commands;
  }

  /** A new namespace with loopback up; returns its path. */
  synchronized String make() {
    byte[] bytes = new byte[4];
    RANDOM.nextBytes(bytes);
    String name = "ignis-tck-" + HexFormat.of().formatHex(bytes);
    commands.run(Command.of("ip", "netns", "add", name)).orThrow(ErrorCode.INVALID_NETNS);
    made.add(name);
    commands.run(Command.of("ip", "-n", name, "link", "set", "lo", "up")).orThrow(ErrorCode.INVALID_NETNS);
    return "/run/netns/" + name;
  }

  /** Removes the namespace at the path, as the runtime does after detach; gone already is fine. */
  synchronized void remove(String path) {
    String name = Path.of(path).getFileName().toString();
    if (Files.exists(Path.of(path))) {
      commands.run(Command.of("ip", "netns", "delete", name)).orThrow(ErrorCode.INVALID_NETNS);
    }
    made.remove(name);
  }

  @Override
  public synchronized void close() {
    for (String name : List.copyOf(made)) {
      remove("/run/netns/" + name);
    }
  }
}
