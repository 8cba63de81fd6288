package dev.ignis.plugin.flannel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A move of this node to another subnet because another node holds its old one: recorded in
 * the state dir ({@code subnet.moved}: old subnet, new subnet, when) for {@code bootstrap status},
 * which names the VMs still holding addresses of the old subnet (host-local's leases of the node
 * network) until they are restarted.
 */
record SubnetMove(Ipv4Net from, Ipv4Net to, Instant at) {

  static final String FILE = "subnet.moved";

  void save(Path stateDir) throws IOException {
    Files.writeString(stateDir.resolve(FILE), from + " " + to + " " + at + "\n");
  }

  static Optional<SubnetMove> load(Path stateDir) {
    try {
      String[] words = Files.readString(stateDir.resolve(FILE)).strip().split(" ");
      return Optional.of(new SubnetMove(Ipv4Net.parse(words[0]), Ipv4Net.parse(words[1]), Instant.parse(words[2])));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** The VM ids host-local still has addresses of the old subnet leased to, on this node's network. */
  List<String> staleVms(NodeState node) {
    Path dir = Path.of(node.ipamDir() == null ? "/var/lib/cni/networks" : node.ipamDir())
        .resolve(FlannelSettings.NETWORK_NAME);
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(f -> inOldSubnet(f.getFileName().toString())).map(SubnetMove::containerOf)
          .filter(id -> !id.isEmpty()).sorted().toList();
    } catch (IOException e) {
      return List.of();
    }
  }

  /** One line for the log and status. */
  String describe(List<String> staleVms) {
    return "moved from " + from + " to " + to + " at " + at + ": another node holds " + from + " (this node's lease"
        + " had expired)" + (staleVms.isEmpty() ? ""
        : "; VMs still on " + from + " must be restarted ('runtime stop' and 'runtime start'): " + String.join(", ",
            staleVms));
  }

  private boolean inOldSubnet(String name) {
    try {
      return from.contains(Ipv4Net.address(name));
    } catch (RuntimeException e) {
      return false;
    }
  }

  private static String containerOf(Path lease) {
    try {
      return Files.readString(lease).lines().findFirst().orElse("").strip();
    } catch (IOException e) {
      return "";
    }
  }
}
