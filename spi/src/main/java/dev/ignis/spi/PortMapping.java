package dev.ignis.spi;

/**
 * A VM port published on the host: traffic to {@code hostIp:hostPort} reaches {@code vmPort}.
 *
 * <p>Make one with {@link #of}, {@link #tcp} or {@link #parse} (the canonical constructor may gain
 * components in a minor SPI version). Written as Docker and Ignite write it: {@code [hostIp:]hostPort:vmPort[/protocol]}, the
 * protocol defaulting to tcp and the host IP to {@code 0.0.0.0} (every address).
 *
 * @param hostIp the host address to bind, {@code 0.0.0.0} for all
 * @param hostPort the host port, 1 to 65535
 * @param vmPort the VM port, 1 to 65535
 * @param protocol the protocol
 */
public record PortMapping(String hostIp, int hostPort, int vmPort, Protocol protocol) {

  /** The host IP meaning "every address". */
  public static final String ANY_HOST_IP = "0.0.0.0";

  /** Validates ports and address; a null or blank host IP means {@link #ANY_HOST_IP}. */
  public PortMapping {
    hostIp = hostIp == null || hostIp.isBlank() ? ANY_HOST_IP : Values.ipLiteral(hostIp, "host IP");
    checkPort(hostPort, "host port");
    checkPort(vmPort, "VM port");
    Values.required(protocol, "protocol");
  }

  /** A mapping; a blank host IP means {@link #ANY_HOST_IP}. */
  public static PortMapping of(String hostIp, int hostPort, int vmPort, Protocol protocol) {
    return new PortMapping(hostIp, hostPort, vmPort, protocol);
  }

  /** A TCP mapping on every host address. */
  public static PortMapping tcp(int hostPort, int vmPort) {
    return new PortMapping(ANY_HOST_IP, hostPort, vmPort, Protocol.TCP);
  }

  /**
   * Parses {@code [hostIp:]hostPort:vmPort[/protocol]}; an IPv6 host IP is written in
   * brackets ({@code [::1]:8080:80}).
   */
  public static PortMapping parse(String spec) {
    Values.nonBlank(spec, "port spec");
    String body = spec.trim();
    Protocol protocol = Protocol.TCP;
    int slash = body.lastIndexOf('/');
    if (slash >= 0) {
      protocol = Protocol.parse(body.substring(slash + 1));
      body = body.substring(0, slash);
    }
    String hostIp = ANY_HOST_IP;
    if (body.startsWith("[")) {
      int close = body.indexOf("]:");
      if (close < 0) {
        throw badSpec(spec);
      }
      hostIp = body.substring(1, close);
      body = body.substring(close + 2);
    } else if (body.chars().filter(c -> c == ':').count() == 2) {
      int colon = body.indexOf(':');
      hostIp = body.substring(0, colon);
      body = body.substring(colon + 1);
    }
    String[] ports = body.split(":", -1);
    if (ports.length != 2) {
      throw badSpec(spec);
    }
    return new PortMapping(hostIp, parsePort(ports[0], spec), parsePort(ports[1], spec), protocol);
  }

  /** This mapping bound to another host address ({@link #ANY_HOST_IP} for all). Since 2.2.0. */
  public PortMapping withHostIp(String ip) {
    return new PortMapping(ip, hostPort, vmPort, protocol);
  }

  /** True if this mapping and the other would claim the same host socket. */
  public boolean clashesWith(PortMapping other) {
    boolean sameAddress =
        hostIp.equals(other.hostIp) || hostIp.equals(ANY_HOST_IP) || other.hostIp.equals(ANY_HOST_IP);
    return hostPort == other.hostPort && protocol == other.protocol && sameAddress;
  }

  /** The spec form, {@code 0.0.0.0:8080:80/tcp}. */
  public String spec() {
    String ip = hostIp.contains(":") ? "[" + hostIp + "]" : hostIp;
    return ip + ":" + hostPort + ":" + vmPort + "/" + protocol.label();
  }

  @Override
  public String toString() {
    return spec();
  }

  private static int parsePort(String text, String spec) {
    if (!text.matches("\\d{1,5}")) {
      throw Values.invalid("port '" + text + "' in '" + spec + "' is not a number from 1 to 65535");
    }
    int port = Integer.parseInt(text);
    if (port < 1 || port > 65535) {
      throw Values.invalid("port " + port + " in '" + spec + "' is out of range; use 1 to 65535");
    }
    return port;
  }

  private static void checkPort(int port, String field) {
    if (port < 1 || port > 65535) {
      throw Values.invalid(field + " " + port + " is out of range; use 1 to 65535");
    }
  }

  private static IgnisException badSpec(String spec) {
    return Values.invalid(
        "port spec '" + spec + "' is not [hostIp:]hostPort:vmPort[/tcp|udp], e.g. 8080:80/tcp");
  }
}
