package dev.ignis.plugin.flannel;

import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import dev.ignis.spi.PluginContext;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Where the flannel plugin keeps the node's files; read from {@code plugin.flannel.<key>} or
 * {@code IGNIS_PLUGIN_FLANNEL_<KEY>}.
 *
 * @param subnetFile {@code subnet-file}: flanneld's subnet.env, {@code /run/flannel/subnet.env}
 * @param cniConfDir {@code cni-conf-dir}: where the node's CNI network is written, {@code /etc/cni/net.d}
 * @param cniCacheDir {@code cni-cache-dir}: the CNI result cache, {@code /var/lib/cni}
 * @param cniBinPath {@code cni-bin-path}: CNI binaries, else the cni plugin's default
 * @param ipamDir {@code ipam-dir}: host-local's data dir for the node network, else its default
 * @param bridge {@code bridge}: the node's VM bridge, {@code ignis-flannel0}
 * @param timeout {@code timeout}: seconds an etcd request may take, 10
 * @param leaseTtl {@code lease-ttl}: seconds a node's lease lives without renewal (renewed at a
 *     third of it), flanneld's 86400; shorter only to test renewal (10 at least)
 */
record FlannelSettings(Path subnetFile, Path cniConfDir, Path cniCacheDir, Optional<String> cniBinPath,
    Optional<String> ipamDir, String bridge, Duration timeout, Duration leaseTtl) {

  static final String NETWORK_NAME = "ignis-flannel";
  static final String CONFLIST = "10-ignis-flannel.conflist";

  static FlannelSettings from(PluginContext context) {
    String timeout = context.setting("timeout").orElse("10");
    if (!timeout.matches("\\d{1,4}") || Integer.parseInt(timeout) == 0) {
      throw new IgnisException(ErrorCode.INVALID_ARGUMENT,
          "flannel setting timeout '" + timeout + "' is not a number of seconds from 1 to 9999");
    }
    String ttl = context.setting("lease-ttl").orElse("86400");
    if (!ttl.matches("\\d{2,5}") || Integer.parseInt(ttl) < 10 || Integer.parseInt(ttl) > 86400) {
      throw new IgnisException(ErrorCode.INVALID_ARGUMENT,
          "flannel setting lease-ttl '" + ttl + "' is not a number of seconds from 10 to 86400");
    }
    String bridge = context.setting("bridge").orElse("ignis-flannel0");
    if (!bridge.matches("[A-Za-z0-9_.-]{1,15}")) {
      throw new IgnisException(ErrorCode.INVALID_ARGUMENT, "flannel setting bridge '" + bridge
          + "' is not an interface name (at most 15 letters, digits, '.', '_', '-')");
    }
    return new FlannelSettings(
        Path.of(context.setting("subnet-file").orElse("/run/flannel/subnet.env")),
        Path.of(context.setting("cni-conf-dir").orElse("/etc/cni/net.d")),
        Path.of(context.setting("cni-cache-dir").orElse("/var/lib/cni")),
        context.setting("cni-bin-path").filter(s -> !s.isBlank()),
        context.setting("ipam-dir").filter(s -> !s.isBlank()),
        bridge,
        Duration.ofSeconds(Integer.parseInt(timeout)),
        Duration.ofSeconds(Integer.parseInt(ttl)));
  }

  /** The settings a node was set up with, as its state records them (for the agent, which has no plugin context). */
  static FlannelSettings ofNode(NodeState node, Duration timeout) {
    return new FlannelSettings(Path.of(node.subnetFile()), Path.of(node.conflist()).getParent(), Path.of("/var/lib/cni"),
        Optional.empty(), Optional.ofNullable(node.ipamDir()), node.bridge(), timeout, node.leaseTtl());
  }

  Path conflist() {
    return cniConfDir.resolve(CONFLIST);
  }
}
