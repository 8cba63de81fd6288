package dev.ignis.runtime.cli;

import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One {@code --network PLUGIN[:NETWORK][,ip=IP]...[,mac=MAC]}: the plugin, which of its
 * networks (empty for its default), and the VM's static IPs and MAC on it. The values are
 * checked where the VM's spec is made; this only takes the text apart.
 */
record NetworkChoice(String plugin, String network, List<String> ips, Optional<String> mac) {

  static NetworkChoice parse(String text) {
    String[] parts = text.split(",", -1);
    String head = parts[0].strip();
    int colon = head.indexOf(':');
    String plugin = colon < 0 ? head : head.substring(0, colon);
    String network = colon < 0 ? "" : head.substring(colon + 1);
    if (plugin.isEmpty() || colon >= 0 && network.isEmpty()) {
      throw invalid("--network '" + text + "' names no " + (plugin.isEmpty() ? "plugin" : "network after ':'")
          + "; write PLUGIN[:NETWORK][,ip=IP][,mac=MAC], e.g. cni or cni:lan,ip=10.61.0.5");
    }
    List<String> ips = new ArrayList<>();
    Optional<String> mac = Optional.empty();
    for (int i = 1; i < parts.length; i++) {
      String part = parts[i].strip();
      int equals = part.indexOf('=');
      String key = equals < 0 ? part : part.substring(0, equals);
      String value = equals < 0 ? "" : part.substring(equals + 1);
      if (value.isEmpty() || !key.equals("ip") && !key.equals("mac")) {
        throw invalid("--network '" + text + "': '" + part + "' is not ip=IP or mac=MAC; write"
            + " PLUGIN[:NETWORK][,ip=IP][,mac=MAC]");
      }
      if (key.equals("ip")) {
        ips.add(value);
      } else if (mac.isPresent()) {
        throw invalid("--network '" + text + "' gives mac= twice; a network card has one MAC");
      } else {
        mac = Optional.of(value);
      }
    }
    return new NetworkChoice(plugin, network, List.copyOf(ips), mac);
  }

  private static IgnisException invalid(String message) {
    return new IgnisException(ErrorCode.INVALID_ARGUMENT, message);
  }
}
