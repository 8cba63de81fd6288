package dev.ignis.plugin.dockerbridge;

import com.github.dockerjava.api.model.Network;
import com.github.dockerjava.api.model.Version;
import dev.ignis.spi.BootstrapResult;
import dev.ignis.spi.Finding;
import dev.ignis.spi.IgnisException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code runtime --network-plugin docker-bridge bootstrap}: checks that the daemon is reachable
 * and speaks a usable API, that its default bridge is there, and builds the sandbox image if
 * it is missing; says what it found.
 */
final class DockerBootstrap {

  private final DockerSettings settings;
  private final SandboxImage image;

  DockerBootstrap(DockerSettings settings, SandboxImage image) {
    this.settings = settings;
    this.image = image;
  }

  BootstrapResult run() {
    List<Finding> findings = new ArrayList<>();
    DockerEngine engine;
    try {
      engine = DockerEngine.connect(settings);
    } catch (IgnisException e) {
      findings.add(Finding.problem("Docker at " + settings.host(), e.getMessage()));
      return new BootstrapResult(findings);
    }
    try (engine) {
      Version version = engine.daemon();
      findings.add(Finding.ok("Docker at " + engine.host(), "Docker " + version.getVersion() + " speaks Engine API "
          + (version.getMinAPIVersion() == null ? "" : version.getMinAPIVersion() + " to ") + version.getApiVersion()
          + "; using " + engine.api().text()));
      findings.add(defaultBridge(engine));
      try {
        boolean built = image.ensure(engine);
        findings.add(Finding.ok("sandbox image " + image.name(), built ? "built from " + settings.busybox() : "present"));
      } catch (IgnisException e) {
        findings.add(Finding.problem("sandbox image " + image.name(), e.getMessage()));
      }
    }
    return new BootstrapResult(findings);
  }

  private static Finding defaultBridge(DockerEngine engine) {
    String subject = "default bridge network";
    try {
      Network network = engine.call("inspect the default bridge network",
          () -> engine.client().inspectNetworkCmd().withNetworkId(SandboxNetwork.BRIDGE).exec());
      Map<String, String> options = network.getOptions() == null ? Map.of() : network.getOptions();
      StringBuilder detail = new StringBuilder(options.getOrDefault("com.docker.network.bridge.name", network.getName()));
      if (network.getIpam() != null && network.getIpam().getConfig() != null) {
        for (Network.Ipam.Config config : network.getIpam().getConfig()) {
          detail.append(", ").append(config.getSubnet());
          if (config.getGateway() != null) {
            detail.append(" via ").append(config.getGateway());
          }
        }
      }
      return Finding.ok(subject, detail.toString());
    } catch (IgnisException e) {
      return Finding.problem(subject, e.getMessage() + " (docker-bridge needs dockerd's default bridge; was it started"
          + " with --bridge=none?)");
    }
  }
}
