package dev.ignis.plugin.cni;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The per-attachment half of a CNI call (libcni's {@code RuntimeConf}): which container, which
 * netns and interface, {@code CNI_ARGS}, and capability arguments for {@code runtimeConfig}.
 *
 * @param containerId the VM id
 * @param netnsPath the sandbox netns path
 * @param ifName the interface to create in it
 * @param args CNI_ARGS key-value pairs
 * @param capabilityArgs values by capability name ({@code portMappings}, {@code ips}, {@code mac})
 */
record RuntimeConf(String containerId, String netnsPath, String ifName, List<List<String>> args,
    ObjectNode capabilityArgs) {

  RuntimeConf {
    args = args.stream().map(List::copyOf).toList();
    capabilityArgs = capabilityArgs.deepCopy();
  }

  /** {@code K1=V1;K2=V2}, as CNI_ARGS is written. */
  String argsText() {
    return args.stream().map(pair -> pair.get(0) + "=" + pair.get(1)).collect(Collectors.joining(";"));
  }

  /** The same call with another capability argument. */
  RuntimeConf withCapability(String name, com.fasterxml.jackson.databind.JsonNode value) {
    ObjectNode copy = capabilityArgs.deepCopy();
    copy.set(name, value);
    return new RuntimeConf(containerId, netnsPath, ifName, args, copy);
  }

  /** The {@code portMappings} capability argument as port mappings (CONVENTIONS: protocol defaults to tcp). */
  java.util.List<dev.ignis.spi.PortMapping> portMappings() {
    java.util.List<dev.ignis.spi.PortMapping> ports = new java.util.ArrayList<>();
    for (com.fasterxml.jackson.databind.JsonNode mapping : capabilityArgs.path("portMappings")) {
      String hostIp = Json.text(mapping, "hostIP");
      String protocol = Json.text(mapping, "protocol");
      ports.add(new dev.ignis.spi.PortMapping(hostIp.isEmpty() ? dev.ignis.spi.PortMapping.ANY_HOST_IP : hostIp,
          mapping.path("hostPort").asInt(), mapping.path("containerPort").asInt(),
          dev.ignis.spi.Protocol.parse(protocol.isEmpty() ? "tcp" : protocol)));
    }
    return ports;
  }
}
