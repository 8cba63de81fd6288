package dev.ignis.plugin.flannel;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;

/**
 * What this node is in the flannel network, kept in the plugin's state dir ({@code node.json}).
 * Written before anything on the host changes (the intent) and updated as steps complete, so
 * that {@code cleanup} and the agent know what exists even after a crash.
 *
 * @param endpoints etcd client URLs
 * @param tls true if etcd speaks TLS (the client material is in {@code tls/})
 * @param runsEtcd true on the node that started etcd ({@code init} without --etcd-endpoints)
 * @param publicIp the node's address on the underlay
 * @param iface the underlay interface
 * @param subnet the leased subnet, once leased
 * @param subnetFile where subnet.env was written
 * @param conflist the CNI network file written
 * @param bridge the VM bridge of the node network
 * @param backend the backend type
 * @param device the backend's device, if it has one ({@code flannel.1})
 * @param ipamDir host-local's data dir for the node network, or null for its default
 * @param externalAgent true if a flanneld of the host holds the lease and writes subnet.env
 *     ({@code join --agent external}): no etcd, agent or data plane of ours
 */
record NodeState(List<String> endpoints, boolean tls, boolean runsEtcd, String publicIp, String iface, String subnet,
    String subnetFile, String conflist, String bridge, String backend, String device, String ipamDir,
    boolean externalAgent) {

  static final String FILE = "node.json";
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  static Optional<NodeState> load(Path stateDir) {
    Path file = stateDir.resolve(FILE);
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    try {
      return Optional.of(JSON.readValue(file.toFile(), NodeState.class));
    } catch (IOException e) {
      throw new IgnisException(ErrorCode.DECODING_FAILURE, file + " is damaged (" + e.getMessage()
          + "); remove it and run 'bootstrap cleanup' by hand", e);
    }
  }

  void save(Path stateDir) {
    try {
      Files.createDirectories(stateDir);
      Path temp = stateDir.resolve(FILE + ".tmp");
      JSON.writeValue(temp.toFile(), this);
      Files.move(temp, stateDir.resolve(FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new IgnisException(ErrorCode.IO_FAILURE, "cannot write " + stateDir.resolve(FILE) + ": " + e.getMessage(), e);
    }
  }

  static void delete(Path stateDir) {
    try {
      Files.deleteIfExists(stateDir.resolve(FILE));
    } catch (IOException e) {
      throw new IgnisException(ErrorCode.IO_FAILURE, "cannot delete " + stateDir.resolve(FILE) + ": " + e.getMessage(), e);
    }
  }

  NodeState withSubnet(Ipv4Net leased) {
    return new NodeState(endpoints, tls, runsEtcd, publicIp, iface, leased.toString(), subnetFile, conflist, bridge,
        backend, device, ipamDir, externalAgent);
  }

  /** The etcd client TLS material of this node, or null on an insecure network. */
  EtcdTls etcdTls(Path stateDir) {
    return tls ? new EtcdTls(stateDir.resolve("tls")) : null;
  }
}
