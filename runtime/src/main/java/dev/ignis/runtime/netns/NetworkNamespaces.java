package dev.ignis.runtime.netns;

import dev.ignis.spi.Command;
import dev.ignis.spi.CommandRunner;
import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Named network namespaces as iproute2 keeps them: a bind mount at {@code /run/netns/<name>}.
 *
 * <p>Named namespaces outlive the process that made them, so a VM sandbox survives a crash of
 * the runtime. Before a namespace is made, its name is journalled in {@code <state>/netns/};
 * the entry goes when the namespace is deleted. {@link #journalled()} thus names every
 * namespace this state dir may have left behind, and never one that another installation or
 * tool made. Every operation is idempotent. Thread-safe.
 */
public final class NetworkNamespaces {

  /** Where iproute2 mounts named namespaces. */
  public static final Path NETNS_DIR = Path.of("/run/netns");

  private final CommandRunner commands;
  private final Path journal;
  private final Path netnsDir;

  /** Namespaces made with these commands, journalled in {@code journalDir}. */
  public NetworkNamespaces(CommandRunner commands, Path journalDir) {
    this(commands, journalDir, NETNS_DIR);
  }

  /** The same with the pins in another directory than iproute2's (tests with fake commands). */
  public NetworkNamespaces(CommandRunner commands, Path journalDir, Path netnsDir) {
    this.commands = commands;
    this.journal = journalDir;
    this.netnsDir = netnsDir;
  }

  /** The path of a named namespace. */
  public Path pathOf(String name) {
    return netnsDir.resolve(name);
  }

  /** True if the named namespace exists. */
  public boolean exists(String name) {
    return Files.exists(pathOf(name));
  }

  /** Makes the named namespace with its loopback up; an existing one is reused. */
  public Path add(String name) {
    return add(name, "");
  }

  /**
   * The same, journalling which network plugin the namespace is for, so that {@code gc} can
   * keep it for that plugin's teardown after its VM is gone ({@link #ownerOf}).
   */
  public Path add(String name, String pluginId) {
    record(name, pluginId);
    if (!exists(name)) {
      commands.run(Command.of("ip", "netns", "add", name)).orThrow(ErrorCode.INVALID_NETNS);
    }
    commands.run(Command.of("ip", "-n", name, "link", "set", "lo", "up")).orThrow(ErrorCode.INVALID_NETNS);
    return pathOf(name);
  }

  /**
   * Pins a namespace again under its name from a process that still lives in it (a VM's QEMU),
   * when the bind mount at {@code /run/netns/<name>} went away behind the runtime's back.
   */
  public Path repin(String name, long pid) {
    Path pin = pathOf(name);
    Path source = Path.of("/proc", String.valueOf(pid), "ns", "net");
    try {
      Files.createDirectories(netnsDir);
      if (Files.notExists(pin)) {
        Files.createFile(pin);
      }
    } catch (IOException e) {
      throw new IgnisException(ErrorCode.IO_FAILURE, "cannot make " + pin + ": " + e.getMessage(), e);
    }
    commands.run(Command.of("mount", "--bind", source.toString(), pin.toString())).orThrow(ErrorCode.INVALID_NETNS);
    return pin;
  }

  /** Removes the named namespace; a missing one is fine. */
  public void delete(String name) {
    if (exists(name)) {
      var result = commands.run(Command.of("ip", "netns", "delete", name));
      if (!result.succeeded() && exists(name)) {
        throw new IgnisException(
            ErrorCode.INVALID_NETNS,
            "cannot delete netns " + name + ": " + result.stderr().strip()
                + "; remove it with 'ip netns delete " + name + "'");
      }
    }
    try {
      Files.deleteIfExists(journal.resolve(name));
    } catch (IOException e) {
      throw new IgnisException(ErrorCode.IO_FAILURE, "cannot update the netns journal " + journal + ": " + e.getMessage(), e);
    }
  }

  /** The names this state dir made and has not deleted yet, sorted. */
  public List<String> journalled() {
    if (!Files.isDirectory(journal)) {
      return List.of();
    }
    try (Stream<Path> entries = Files.list(journal)) {
      return entries.map(p -> p.getFileName().toString()).sorted().toList();
    } catch (IOException e) {
      throw new IgnisException(ErrorCode.IO_FAILURE, "cannot list the netns journal " + journal + ": " + e.getMessage(), e);
    }
  }

  /** The network plugin a journalled namespace was made for, if it was recorded. */
  public Optional<String> ownerOf(String name) {
    try {
      return Optional.of(Files.readString(journal.resolve(name)).strip()).filter(owner -> !owner.isEmpty());
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private void record(String name, String pluginId) {
    try {
      Files.createDirectories(journal);
      Files.writeString(journal.resolve(name), pluginId);
    } catch (IOException e) {
      throw new IgnisException(ErrorCode.IO_FAILURE, "cannot write the netns journal " + journal + ": " + e.getMessage(), e);
    }
  }
}
