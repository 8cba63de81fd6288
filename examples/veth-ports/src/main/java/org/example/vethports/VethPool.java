package org.example.vethports;

import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The pool of /30 blocks VMs get their addresses from, one lease file per block in the plugin's
 * state dir ({@code leases/<block>} holding "vm-id interface"). A lease is written before anything
 * on the host changes and removed after everything is undone, so the files are also the record
 * that detach and gc find a VM's network by. Thread-safe and safe across processes (a file lock).
 */
final class VethPool {

  /** One VM network's block: host end {@code .1}, guest {@code .2}. */
  record Lease(int block, String vmId, String ifName, int network) {
    String gateway() {
      return VethPool.text(network + 1);
    }

    String guest() {
      return VethPool.text(network + 2);
    }
  }

  private static final Object JVM_LOCK = new Object();

  private final Path dir;
  private final int network;
  private final int blocks;

  private VethPool(Path dir, int network, int blocks) {
    this.dir = dir;
    this.network = network;
    this.blocks = blocks;
  }

  /** The pool of a CIDR such as {@code 10.213.0.0/24}; its leases live in {@code stateDir/leases}. */
  static VethPool of(String cidr, Path stateDir) {
    String[] parts = cidr.split("/");
    if (parts.length != 2 || !parts[1].matches("\\d{1,2}") || Integer.parseInt(parts[1]) > 30
        || Integer.parseInt(parts[1]) < 8 || parse(parts[0]).isEmpty()) {
      throw new IgnisException(ErrorCode.INVALID_NETWORK_CONFIG, "setting plugin.veth-ports.pool '" + cidr
          + "' is not an IPv4 CIDR from /8 to /30, e.g. 10.213.0.0/24");
    }
    int prefix = Integer.parseInt(parts[1]);
    int mask = prefix == 0 ? 0 : -1 << (32 - prefix);
    return new VethPool(stateDir.resolve("leases"), parse(parts[0]).get() & mask, 1 << (30 - prefix));
  }

  /**
   * A lease for the VM's network: the requested address (or fail), else a kept one that is free
   * (or already this VM's), else the first free block.
   */
  Lease take(String vmId, String ifName, Optional<String> requested, List<String> kept) {
    return locked(() -> {
      Optional<Lease> mine = find(vmId, ifName);
      if (mine.isPresent()) {
        return mine.get();
      }
      if (requested.isPresent()) {
        int block = blockOf(requested.get()).orElseThrow(() -> new IgnisException(ErrorCode.INVALID_ARGUMENT,
            "--ip " + requested.get() + " is not a guest address of the pool (" + text(network) + " plus 4n+2)"));
        Optional<Lease> holder = read(block);
        if (holder.isPresent()) {
          throw new IgnisException(ErrorCode.ALREADY_EXISTS, "--ip " + requested.get() + " is held by VM "
              + holder.get().vmId() + "; pick another address");
        }
        return write(new Lease(block, vmId, ifName, network + 4 * block));
      }
      for (String ip : kept) {
        Optional<Integer> block = blockOf(ip);
        if (block.isPresent() && read(block.get()).isEmpty()) {
          return write(new Lease(block.get(), vmId, ifName, network + 4 * block.get()));
        }
      }
      for (int block = 0; block < blocks; block++) {
        if (read(block).isEmpty()) {
          return write(new Lease(block, vmId, ifName, network + 4 * block));
        }
      }
      throw new IgnisException(ErrorCode.TRY_AGAIN_LATER, "the veth-ports pool is full (" + blocks + " VMs); remove"
          + " a VM or set a larger plugin.veth-ports.pool");
    });
  }

  /** The block of a guest address ({@code .2} of a block) inside the pool. */
  Optional<Integer> blockOf(String ip) {
    return parse(ip).filter(a -> a - network >= 0 && a - network < 4 * blocks && (a - network) % 4 == 2)
        .map(a -> (a - network) / 4);
  }

  Optional<Lease> find(String vmId, String ifName) {
    return all().stream().filter(l -> l.vmId().equals(vmId) && l.ifName().equals(ifName)).findFirst();
  }

  List<Lease> all() {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    List<Lease> leases = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : files.filter(f -> f.getFileName().toString().matches("\\d+")).toList()) {
        read(Integer.parseInt(file.getFileName().toString())).ifPresent(leases::add);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return leases;
  }

  void release(Lease lease) {
    locked(() -> {
      Files.deleteIfExists(dir.resolve(String.valueOf(lease.block())));
      return null;
    });
  }

  private Optional<Lease> read(int block) {
    try {
      String[] words = Files.readString(dir.resolve(String.valueOf(block))).strip().split(" ");
      return words.length == 2 ? Optional.of(new Lease(block, words[0], words[1], network + 4 * block)) : Optional.empty();
    } catch (java.nio.file.NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Lease write(Lease lease) throws IOException {
    Path tmp = dir.resolve(lease.block() + ".tmp");
    Files.writeString(tmp, lease.vmId() + " " + lease.ifName() + "\n");
    Files.move(tmp, dir.resolve(String.valueOf(lease.block())), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    return lease;
  }

  private interface Step<T> {
    T run() throws IOException;
  }

  private <T> T locked(Step<T> step) {
    synchronized (JVM_LOCK) {
      try {
        Files.createDirectories(dir);
        try (FileChannel channel = FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE,
            StandardOpenOption.WRITE); FileLock lock = channel.lock()) {
          return step.run();
        }
      } catch (IOException e) {
        throw new IgnisException(ErrorCode.IO_FAILURE, "veth-ports leases in " + dir + ": " + e.getMessage(), e);
      }
    }
  }

  static Optional<Integer> parse(String ip) {
    String[] octets = ip.split("\\.");
    if (octets.length != 4) {
      return Optional.empty();
    }
    int value = 0;
    for (String octet : octets) {
      if (!octet.matches("\\d{1,3}") || Integer.parseInt(octet) > 255) {
        return Optional.empty();
      }
      value = value << 8 | Integer.parseInt(octet);
    }
    return Optional.of(value);
  }

  static String text(int ip) {
    return (ip >>> 24) + "." + (ip >>> 16 & 255) + "." + (ip >>> 8 & 255) + "." + (ip & 255);
  }
}
