package dev.ignis.plugin.flannel;

import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * @param leaseTtlSeconds how long the agent's lease lives without renewal; null for flanneld's 24 h
 */
record NodeState(List<String> endpoints, boolean tls, boolean runsEtcd, String publicIp, String iface, String subnet,
    String subnetFile, String conflist, String bridge, String backend, String device, String ipamDir,
    boolean externalAgent, Long leaseTtlSeconds) {

  static final String FILE = "node.json";

  static Optional<NodeState> load(Path stateDir) {
    Path file = stateDir.resolve(FILE);
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    try {
      return Optional.of(fromJson(Json.object(Files.readString(file))));
    } catch (IOException e) {
      throw new IgnisException(ErrorCode.DECODING_FAILURE, file + " is damaged (" + e.getMessage()
          + "); remove it and run 'bootstrap cleanup' by hand", e);
    }
  }

  void save(Path stateDir) {
    try {
      Files.createDirectories(stateDir);
      Path temp = stateDir.resolve(FILE + ".tmp");
      Files.writeString(temp, Json.pretty(toJson()));
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

  private static NodeState fromJson(Map<String, Object> json) throws IOException {
    List<String> endpoints = new ArrayList<>();
    for (Object endpoint : Json.list(json, "endpoints")) {
      endpoints.add(String.valueOf(endpoint));
    }
    Long ttl = json.get("leaseTtlSeconds") == null ? null : Json.int64(json, "leaseTtlSeconds");
    return new NodeState(endpoints, Boolean.TRUE.equals(Json.bool(json, "tls")),
        Boolean.TRUE.equals(Json.bool(json, "runsEtcd")), Json.string(json, "publicIp"), Json.string(json, "iface"),
        Json.string(json, "subnet"), Json.string(json, "subnetFile"), Json.string(json, "conflist"),
        Json.string(json, "bridge"), Json.string(json, "backend"), Json.string(json, "device"),
        Json.string(json, "ipamDir"), Boolean.TRUE.equals(Json.bool(json, "externalAgent")), ttl);
  }

  private Map<String, Object> toJson() {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("endpoints", endpoints);
    json.put("tls", tls);
    json.put("runsEtcd", runsEtcd);
    json.put("publicIp", publicIp);
    json.put("iface", iface);
    json.put("subnet", subnet);
    json.put("subnetFile", subnetFile);
    json.put("conflist", conflist);
    json.put("bridge", bridge);
    json.put("backend", backend);
    json.put("device", device);
    json.put("ipamDir", ipamDir);
    json.put("externalAgent", externalAgent);
    json.put("leaseTtlSeconds", leaseTtlSeconds);
    return json;
  }

  NodeState withSubnet(Ipv4Net leased) {
    return new NodeState(endpoints, tls, runsEtcd, publicIp, iface, leased.toString(), subnetFile, conflist, bridge,
        backend, device, ipamDir, externalAgent, leaseTtlSeconds);
  }

  /** How long the agent's lease lives without renewal. */
  Duration leaseTtl() {
    return leaseTtlSeconds == null ? NodeAgent.LEASE_TTL : Duration.ofSeconds(leaseTtlSeconds);
  }

  /** The etcd client TLS material of this node, or null on an insecure network. */
  EtcdTls etcdTls(Path stateDir) {
    return tls ? new EtcdTls(stateDir.resolve("tls")) : null;
  }
}
