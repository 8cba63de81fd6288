package dev.ignis.runtime.vm;

import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import dev.ignis.spi.PortMapping;
import java.util.ArrayList;
import java.util.List;

/**
 * A host port mapping as users give it, {@code [NETWORK/][hostIp:]hostPort:vmPort[/proto]}:
 * published from the VM's network of that name, else from its first network.
 *
 * @param network the network's name ({@link NetworkSpec#isNamed}), empty for the first network
 * @param mapping the mapping
 */
public record PublishedPort(String network, PortMapping mapping) {

  /** Validates; a null network becomes empty. */
  public PublishedPort {
    network = network == null ? "" : network;
    if (mapping == null) {
      throw new IgnisException(ErrorCode.INVALID_ARGUMENT, "a published port needs a mapping");
    }
  }

  /** Parses the text ({@link #networkOf} tells the network's part). */
  public static PublishedPort parse(String text) {
    String body = text == null ? "" : text.strip();
    String network = networkOf(body);
    return new PublishedPort(network, PortMapping.parse(withoutNetwork(body)));
  }

  /** The port's text after the network it names ({@link #networkOf}), stripped. */
  public static String withoutNetwork(String text) {
    String body = text.strip();
    String network = networkOf(body);
    return network.isEmpty() ? body : body.substring(network.length() + 1);
  }

  /**
   * The network a port's text names, or empty: the part before the first {@code /} when it has
   * no {@code :} or {@code [} and is not a number ({@code 8080/udp} names none).
   */
  public static String networkOf(String text) {
    int slash = text.indexOf('/');
    if (slash > 0) {
      String head = text.substring(0, slash);
      if (head.indexOf(':') < 0 && head.indexOf('[') < 0 && !head.chars().allMatch(Character::isDigit)) {
        return head;
      }
    }
    return "";
  }

  /** The index of the network it is published from, in {@code spec}'s networks. */
  public int networkIndex(VmSpec spec) {
    return networkIndex(network, spec, toString());
  }

  /** The index of the network {@code network} names (empty: the first), for the port {@code port}. */
  public static int networkIndex(String network, VmSpec spec, String port) {
    if (network.isEmpty()) {
      return 0;
    }
    List<Integer> matches = new ArrayList<>();
    for (int i = 0; i < spec.networks().size(); i++) {
      if (spec.networks().get(i).isNamed(network)) {
        matches.add(i);
      }
    }
    if (matches.size() == 1) {
      return matches.get(0);
    }
    String names = String.join(", ", spec.networks().stream().map(NetworkSpec::label).toList());
    throw new IgnisException(matches.isEmpty() ? ErrorCode.NOT_FOUND : ErrorCode.INVALID_ARGUMENT, "port " + port
        + ": " + (matches.isEmpty() ? "VM '" + spec.name() + "' has no network named '" + network + "'"
            : "'" + network + "' names " + matches.size() + " of VM '" + spec.name() + "''s networks")
        + " (it has: " + names + "); write NETWORK/PORT with one of those names");
  }

  /** {@code spec} with these ports published as well, each on its network. */
  public static VmSpec addTo(VmSpec spec, List<PublishedPort> ports) {
    List<NetworkSpec> networks = new ArrayList<>(spec.networks());
    for (PublishedPort port : ports) {
      int index = port.networkIndex(spec);
      List<PortMapping> mappings = new ArrayList<>(networks.get(index).ports());
      mappings.add(port.mapping());
      networks.set(index, networks.get(index).withPorts(mappings));
    }
    return spec.withNetworks(networks);
  }

  @Override
  public String toString() {
    return network.isEmpty() ? mapping.toString() : network + "/" + mapping;
  }
}
