package dev.ignis.plugin.flannel;

import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The files through which a node's VMs use the flannel network: flanneld's {@code subnet.env}
 * and the node's CNI network (bridge and host-local on the node's subnet with a route to the
 * whole flannel network, portmap, firewall), written where the cni plugin looks. Its name
 * ({@value FlannelSettings#CONFLIST}) sorts before Ignite's default {@code 10-ignite.conflist},
 * so the cni plugin, too, uses it in place of the default network until cleanup removes it.
 */
final class NodeNetworkFiles {

  private final FlannelSettings settings;

  NodeNetworkFiles(FlannelSettings settings) {
    this.settings = settings;
  }

  /** Writes subnet.env as flanneld does, then the node's CNI network; this node masquerades itself. */
  void write(FlannelConfig config, Ipv4Net subnet, int mtu) {
    String gateway = Ipv4Net.dotted(subnet.at(1));
    writeAtomically(settings.subnetFile(), "FLANNEL_NETWORK=" + config.network() + "\n"
        + "FLANNEL_SUBNET=" + gateway + "/" + subnet.prefix() + "\n"
        + "FLANNEL_MTU=" + mtu + "\n"
        // True, as flanneld writes it with --ip-masq: this node masquerades traffic leaving the network
        // (FlannelIptables), so tools that read subnet.env (flannel's CNI plugin) must not add their own.
        + "FLANNEL_IPMASQ=true\n");
    writeConflist(new SubnetEnv(config.net(), subnet, gateway, mtu, true));
  }

  /**
   * Writes the node's CNI network from a subnet.env, as flannel's CNI plugin turns it into a
   * bridge delegate: the bridge masquerades only if flanneld does not ({@code FLANNEL_IPMASQ}).
   */
  void writeConflist(SubnetEnv env) {
    String dataDir = settings.ipamDir().map(dir -> ",\"dataDir\":\"" + dir + "\"").orElse("");
    // The route to the flannel network names its gateway: the bridge plugin installs it via the
    // gateway anyway, and its CHECK before plugins 1.3.0 (Debian 12 has 1.1.1) cannot find a
    // route whose gw the result leaves out (containernetworking/plugins#886).
    writeAtomically(settings.conflist(), """
        {"cniVersion":"0.4.0","name":"%s","plugins":[
          {"type":"bridge","bridge":"%s","isGateway":true,"isDefaultGateway":true,"hairpinMode":true,"ipMasq":%s,
           "mtu":%d,"ipam":{"type":"host-local","subnet":"%s","gateway":"%s",
           "routes":[{"dst":"%s","gw":"%s"}]%s}},
          {"type":"portmap","capabilities":{"portMappings":true}},
          {"type":"firewall"}]}
        """.formatted(FlannelSettings.NETWORK_NAME, settings.bridge(), !env.ipMasq(), env.mtu(), env.subnet(),
        env.gateway(), env.network(), env.gateway(), dataDir));
  }

  /** The subnet the node's CNI network hands out addresses of now, if it exists. */
  java.util.Optional<Ipv4Net> conflistSubnet() {
    try {
      java.util.regex.Matcher subnet = java.util.regex.Pattern.compile("\"subnet\":\"([0-9./]+)\"")
          .matcher(Files.readString(settings.conflist()));
      return subnet.find() ? java.util.Optional.of(Ipv4Net.parse(subnet.group(1))) : java.util.Optional.empty();
    } catch (IOException | RuntimeException e) {
      return java.util.Optional.empty();
    }
  }

  boolean present() {
    return Files.exists(settings.conflist()) && Files.exists(settings.subnetFile());
  }

  /** Removes both files; the cni plugin installs its default network again when the conf dir is empty. */
  void remove() {
    try {
      Files.deleteIfExists(settings.subnetFile());
      Files.deleteIfExists(settings.conflist());
    } catch (IOException e) {
      throw new IgnisException(ErrorCode.IO_FAILURE, "cannot remove the node network files: " + e.getMessage(), e);
    }
  }

  private static void writeAtomically(Path file, String content) {
    try {
      Files.createDirectories(file.getParent());
      Path temp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.writeString(temp, content);
      Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new IgnisException(ErrorCode.IO_FAILURE, "cannot write " + file + ": " + e.getMessage(), e);
    }
  }
}
