package dev.ignis.plugin.flannel;

import dev.ignis.spi.BootstrapRequest;
import dev.ignis.spi.BootstrapResult;
import dev.ignis.spi.CommandRunner;
import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.Finding;
import dev.ignis.spi.IgnisException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The flannel plugin's bootstrap actions: {@code init} (first node: etcd, network config,
 * lease, data plane, node files, agent), {@code join NODE1} (the same against node1's etcd),
 * {@code cleanup [--purge]} and {@code status}. The node's intent is saved before the host
 * changes, and a failed init or join undoes what it did.
 */
final class FlannelBootstrap {

  static final String INIT_USAGE = "bootstrap init [--network CIDR] [--subnet-len N] [--subnet-min IP --subnet-max IP]"
      + " [--backend vxlan|host-gw|udp] [--etcd-endpoints URLS [--bundle FILE]] [--public-ip IP] [--insecure]";
  static final String JOIN_USAGE = "bootstrap join NODE1 [--bundle FILE|DIR | --insecure] [--public-ip IP], or bootstrap"
      + " join --agent external (a flanneld on this host holds the lease)";
  /** How long a claimed subnet lives before the agent takes it over with its own 24 h lease. */
  private static final Duration CLAIM_TTL = Duration.ofSeconds(120);

  private final FlannelSettings settings;
  private final Path stateDir;
  private final CommandRunner commands;
  private final Agent agent;
  private final List<Finding> findings = new ArrayList<>();

  FlannelBootstrap(FlannelSettings settings, Path stateDir, CommandRunner commands, Agent agent) {
    this.settings = settings;
    this.stateDir = stateDir;
    this.commands = commands;
    this.agent = agent;
  }

  BootstrapResult run(BootstrapRequest request) {
    switch (request.action()) {
      case "init" -> init(BootstrapArgs.parse("init", request.arguments(), Set.of("--network", "--subnet-len",
          "--subnet-min", "--subnet-max", "--backend", "--etcd-endpoints", "--bundle", "--public-ip"),
          Set.of("--insecure"), 0,
          INIT_USAGE));
      case "join" -> {
        if (request.arguments().stream().anyMatch(a -> a.equals("--agent") || a.startsWith("--agent="))) {
          joinExternal(BootstrapArgs.parse("join", request.arguments(), Set.of("--agent"), Set.of(), 0, JOIN_USAGE));
        } else {
          join(BootstrapArgs.parse("join", request.arguments(), Set.of("--bundle", "--public-ip"), Set.of("--insecure"),
              1, JOIN_USAGE));
        }
      }
      case "cleanup" -> cleanup(BootstrapArgs.parse("cleanup", request.arguments(), Set.of(), Set.of("--purge"), 0,
          "bootstrap cleanup [--purge]"));
      case "start" -> {
        BootstrapArgs.parse("start", request.arguments(), Set.of(), Set.of(), 0, "bootstrap start");
        services().start();
      }
      case "stop" -> services().stop(BootstrapArgs.parse("stop", request.arguments(), Set.of(), Set.of("--keep-lease"),
          0, "bootstrap stop [--keep-lease]").flag("--keep-lease"));
      case "status", "" -> new FlannelStatus(settings, stateDir, agent, findings).report();
      default -> throw new IgnisException(ErrorCode.INVALID_ARGUMENT, "the flannel plugin has no bootstrap action '"
          + request.action() + "'; use init, join NODE1, start, stop, cleanup or status");
    }
    return new BootstrapResult(findings);
  }

  private void init(BootstrapArgs args) {
    refuseIfMember();
    boolean tls = !args.flag("--insecure");
    FlannelConfig config = new FlannelConfig(args.option("--network").orElse("10.50.0.0/16"),
        args.option("--subnet-len").map(FlannelBootstrap::number).orElse(null), args.option("--subnet-min").orElse(null),
        args.option("--subnet-max").orElse(null),
        new FlannelConfig.Backend(args.option("--backend").orElse("vxlan"), null, null)).normalised();
    NodeAddresses addresses = new NodeAddresses(commands);
    NodeAddresses.Address self = addresses.publicAddress(args.option("--public-ip").orElse(null));
    addresses.checkNoOverlap(config.net(), settings.bridge());
    boolean runsEtcd = args.option("--etcd-endpoints").isEmpty();
    List<String> endpoints = args.option("--etcd-endpoints").map(e -> Arrays.asList(e.split(",")))
        .orElse(List.of(EtcdServer.clientUrl(self.ip(), tls)));
    if (!runsEtcd && tls && args.option("--bundle").isEmpty()) {
      throw new IgnisException(ErrorCode.INVALID_ARGUMENT, "bootstrap init: with --etcd-endpoints, pass --bundle FILE"
          + " (a PEM file with the etcd CA, a client certificate and its key) or --insecure for plain HTTP");
    }
    NodeState node = intent(endpoints, tls, runsEtcd, self, config);
    EtcdCertificates certificates = tls && runsEtcd ? new EtcdCertificates(stateDir.resolve("tls"), commands) : null;
    try {
      if (!runsEtcd && tls) {
        EtcdCertificates.unpackBundle(Path.of(args.option("--bundle").get()), stateDir.resolve("tls"));
      }
      if (!runsEtcd) {
        EtcdProbe.check(endpoints, node.etcdTls(stateDir));
      }
      if (certificates != null) {
        certificates.ensure(self.ip());
      }
      if (runsEtcd) {
        EtcdServer server = new EtcdServer(stateDir);
        server.start(self.ip(), certificates);
        findings.add(Finding.ok("etcd", "started on " + endpoints.get(0) + " (peers :" + EtcdServer.PEER_PORT
            + "), data in " + server.dataDir()));
      }
      try (EtcdStore etcd = services().connectWithRetry(node, runsEtcd ? Duration.ofSeconds(20) : Duration.ZERO)) {
        FlannelConfig existing = etcd.config().map(FlannelConfig::normalised).orElse(null);
        if (existing == null) {
          etcd.putConfig(config);
        } else if (!existing.equals(config)) {
          throw new IgnisException(ErrorCode.ALREADY_EXISTS, "etcd at " + etcd.endpoints() + " already holds another"
              + " flannel network (" + existing.json() + "); join it with 'bootstrap join' or clean it up");
        }
        findings.add(Finding.ok("network config", FlannelConfig.KEY + " = " + config.json()));
        lease(etcd, config, node);
      }
      if (certificates != null) {
        Path bundle = certificates.writeBundle();
        findings.add(Finding.ok("join", "copy " + bundle + " to each other node, then run there: runtime"
            + " --network-plugin flannel bootstrap join " + self.ip() + " --bundle " + bundle.getFileName()));
        Path separate = bundle.resolveSibling(EtcdCertificates.JOIN_DIR);
        findings.add(Finding.ok("join flanneld", "a real flanneld node takes the same as files in " + separate + ":"
            + " flanneld --etcd-endpoints " + endpoints.get(0) + " --etcd-cafile ca.crt --etcd-certfile client.crt"
            + " --etcd-keyfile client.key --ip-masq"));
      } else if (runsEtcd) {
        findings.add(Finding.ok("join", "on each other node run: runtime --network-plugin flannel bootstrap join "
            + self.ip() + " --insecure (plain HTTP: anyone on the network can change it)"));
      }
      findings.add(Finding.ok("ports", "open " + EtcdServer.CLIENT_PORT + "/tcp and " + EtcdServer.PEER_PORT
          + "/tcp (etcd, first node)" + (config.backend().type().equals("host-gw") ? "" : " and "
          + config.backend().portOrDefault() + "/udp (" + config.backend().type() + ")") + " between the nodes"));
    } catch (RuntimeException e) {
      undo(e);
      throw e;
    }
  }

  private void join(BootstrapArgs args) {
    refuseIfMember();
    boolean tls = !args.flag("--insecure");
    if (tls && args.option("--bundle").isEmpty()) {
      throw new IgnisException(ErrorCode.INVALID_ARGUMENT, "bootstrap join: etcd is secured with TLS by default;"
          + " pass --bundle FILE (the " + EtcdCertificates.BUNDLE + " that init printed) or --insecure");
    }
    NodeAddresses addresses = new NodeAddresses(commands);
    NodeAddresses.Address self = addresses.publicAddress(args.option("--public-ip").orElse(null));
    String node1 = args.positionals().get(0);
    List<String> endpoints = List.of(node1.contains("://") ? node1 : EtcdServer.clientUrl(node1, tls));
    EtcdTls material = tls ? new EtcdTls(stateDir.resolve("tls")) : null;
    NodeState node = null;
    try {
      if (tls) {
        EtcdCertificates.unpackBundle(Path.of(args.option("--bundle").get()), material.dir());
      }
      EtcdProbe.check(endpoints, material);
      try (EtcdStore etcd = EtcdStore.connect(endpoints, material, settings.timeout())) {
        FlannelConfig config = etcd.config().map(FlannelConfig::normalised).orElseThrow(() -> new IgnisException(
            ErrorCode.NOT_FOUND, "etcd at " + etcd.endpoints() + " holds no flannel network; run 'bootstrap init' on"
            + " the first node"));
        addresses.checkNoOverlap(config.net(), settings.bridge());
        node = intent(endpoints, tls, false, self, config);
        lease(etcd, config, node);
      }
    } catch (RuntimeException e) {
      if (node != null) {
        undo(e);
      } else if (material != null) {
        FlannelCleanup.deleteTree(material.dir()); // the unpacked bundle: nothing of a failed join stays
      }
      throw e;
    }
  }

  /** Joins through the host's flanneld: its subnet.env, no agent or etcd client of ours. */
  private void joinExternal(BootstrapArgs args) {
    refuseIfMember();
    if (!args.option("--agent").orElse("").equals("external")) {
      throw new IgnisException(ErrorCode.INVALID_ARGUMENT, "bootstrap join: --agent takes only 'external' (a flanneld"
          + " on this host holds the lease and writes " + settings.subnetFile() + "); without --agent, Ignis runs its own"
          + " agent: join NODE1");
    }
    try {
      new ExternalAgentNode(settings, stateDir, commands).join(findings);
    } catch (RuntimeException e) {
      if (NodeState.load(stateDir).isPresent()) {
        undo(e);
      }
      throw e;
    }
  }

  /** Leases a subnet, brings up the data plane, writes the node's files and starts the agent. */
  private void lease(EtcdStore etcd, FlannelConfig config, NodeState node) {
    Map<Ipv4Net, SubnetLease.Attrs> leases = etcd.leases(warning -> findings.add(Finding.ok("lease skipped", warning)));
    Ipv4Net subnet = new SubnetChoice(config, leases).previousOf(node.publicIp()).orElse(null);
    long claim = etcd.grant(CLAIM_TTL);
    NodeState leased;
    DataPlane plane;
    try {
      if (subnet == null) {
        for (Ipv4Net candidate : new SubnetChoice(config, leases).free()) {
          if (etcd.claim(candidate, new SubnetLease.Attrs(node.publicIp(), config.backend().type(), Map.of()), claim)) {
            subnet = candidate;
            break;
          }
        }
        if (subnet == null) {
          throw new IgnisException(ErrorCode.TRY_AGAIN_LATER, "no free /" + config.subnetLen() + " left in "
              + config.network() + " between " + config.subnetMin() + " and " + config.subnetMax() + " ("
              + etcd.leases(warning -> { }).size() + " leased); widen --subnet-min/--subnet-max on init, or clean up"
              + " nodes that are gone");
        }
      }
      leased = node.withSubnet(subnet);
      leased.save(stateDir);
      plane = DataPlane.of(config.backend().type(), config, leased, commands, line -> { }); // never reconciled here
      SubnetLease.Attrs attrs = new SubnetLease.Attrs(node.publicIp(), config.backend().type(), plane.setUp());
      // The backend data goes in only while the key is still ours (or free): never over another node's lease.
      Ipv4Net chosen = subnet;
      subnet = OwnLease.hold(etcd, config, chosen, attrs, CLAIM_TTL,
          line -> findings.add(Finding.ok("lease", line))).subnet();
      if (!subnet.equals(chosen)) {
        leased = node.withSubnet(subnet);
        leased.save(stateDir);
      }
    } finally {
      etcd.revoke(claim); // held now under a lease of its own, or given up: no orphan lease either way
    }
    findings.add(Finding.ok("subnet", subnet + " leased to " + node.publicIp() + " (" + config.backend().type()
        + (node.device() == null ? "" : " on " + node.device()) + ")"));
    new FlannelIptables(commands).apply(config.network());
    new NodeNetworkFiles(settings).write(config, subnet, plane.mtu());
    findings.add(Finding.ok("node network", settings.subnetFile() + ", " + settings.conflist() + " (bridge "
        + settings.bridge() + ", MTU " + plane.mtu() + "); iptables chains " + FlannelIptables.NAT_CHAIN + " (masquerade"
        + " to outside the network) and " + FlannelIptables.FORWARD_CHAIN));
    findings.add(Finding.ok("agent", agent.start()));
  }

  private NodeState intent(List<String> endpoints, boolean tls, boolean runsEtcd, NodeAddresses.Address self,
      FlannelConfig config) {
    String device = switch (config.backend().type()) {
      case "vxlan" -> "flannel." + config.backend().vniOrDefault();
      case "udp" -> UdpDataPlane.DEVICE;
      default -> null;
    };
    NodeState node = new NodeState(endpoints, tls, runsEtcd, self.ip(), self.iface(), null,
        settings.subnetFile().toString(), settings.conflist().toString(), settings.bridge(), config.backend().type(),
        device, settings.ipamDir().orElse(null), false,
        settings.leaseTtl().equals(NodeAgent.LEASE_TTL) ? null : settings.leaseTtl().toSeconds());
    node.save(stateDir);
    return node;
  }

  private void refuseIfMember() {
    NodeState.load(stateDir).ifPresent(node -> {
      throw new IgnisException(ErrorCode.ALREADY_EXISTS, "this node is already in a flannel network (subnet "
          + node.subnet() + ", etcd " + String.join(",", node.endpoints()) + "); run 'bootstrap cleanup' first");
    });
  }

  private void undo(RuntimeException failure) {
    try {
      new FlannelCleanup(settings, stateDir, commands, agent, new ArrayList<>()).run(false);
    } catch (RuntimeException undo) {
      failure.addSuppressed(undo);
    }
  }

  private NodeServices services() {
    return new NodeServices(settings, stateDir, commands, agent, findings);
  }

  private void cleanup(BootstrapArgs args) {
    new FlannelCleanup(settings, stateDir, commands, agent, findings).run(args.flag("--purge"));
  }

  private static int number(String text) {
    try {
      return Integer.parseInt(text);
    } catch (NumberFormatException e) {
      throw new IgnisException(ErrorCode.INVALID_ARGUMENT, "--subnet-len '" + text + "' is not a number");
    }
  }
}
