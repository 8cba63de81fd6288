package dev.ignis.runtime.netns;

import dev.ignis.spi.Command;
import dev.ignis.spi.CommandRunner;
import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Named network namespaces as iproute2 keeps them: a bind mount at {@code /run/netns/<name>}.
 *
 * <p>Named namespaces outlive the process that made them, so a VM sandbox survives a crash of
 * the runtime and {@code runtime gc} can find it again. Every operation is idempotent.
 * Thread-safe.
 */
public final class NetworkNamespaces {

  /** Where iproute2 mounts named namespaces. */
  public static final Path NETNS_DIR = Path.of("/run/netns");

  private final CommandRunner commands;

  public NetworkNamespaces(CommandRunner commands) {
    this.commands = commands;
  }

  /** The path of a named namespace. */
  public Path pathOf(String name) {
    return NETNS_DIR.resolve(name);
  }

  /** True if the named namespace exists. */
  public boolean exists(String name) {
    return Files.exists(pathOf(name));
  }

  /** Makes the named namespace with its loopback up; an existing one is reused. */
  public Path add(String name) {
    if (!exists(name)) {
      commands.run(Command.of("ip", "netns", "add", name)).orThrow(ErrorCode.INVALID_NETNS);
    }
    commands.run(Command.of("ip", "-n", name, "link", "set", "lo", "up")).orThrow(ErrorCode.INVALID_NETNS);
    return pathOf(name);
  }

  /** Removes the named namespace; a missing one is fine. */
  public void delete(String name) {
    if (!exists(name)) {
      return;
    }
    var result = commands.run(Command.of("ip", "netns", "delete", name));
    if (!result.succeeded() && exists(name)) {
      throw new IgnisException(
          ErrorCode.INVALID_NETNS,
          "cannot delete netns " + name + ": " + result.stderr().strip()
              + "; remove it with 'ip netns delete " + name + "'");
    }
  }

  /** The names of the existing namespaces that start with the prefix. */
  public List<String> listWithPrefix(String prefix) {
    if (!Files.isDirectory(NETNS_DIR)) {
      return List.of();
    }
    try (Stream<Path> entries = Files.list(NETNS_DIR)) {
      return entries.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(prefix)).sorted().toList();
    } catch (IOException e) {
      throw new IgnisException(ErrorCode.IO_FAILURE, "cannot list " + NETNS_DIR + ": " + e.getMessage(), e);
    }
  }
}
