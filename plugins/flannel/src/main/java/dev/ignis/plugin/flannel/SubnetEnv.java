package dev.ignis.plugin.flannel;

import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * flanneld's {@code subnet.env} as flannel's CNI plugin reads it: {@code FLANNEL_NETWORK},
 * {@code FLANNEL_SUBNET} (the node's gateway address with the subnet's prefix, e.g.
 * {@code 10.50.3.1/24}), {@code FLANNEL_MTU} and {@code FLANNEL_IPMASQ} (true when flanneld
 * masquerades traffic leaving the network itself).
 */
record SubnetEnv(Ipv4Net network, Ipv4Net subnet, String gateway, int mtu, boolean ipMasq) {

  static SubnetEnv read(Path file) {
    Map<String, String> values = new HashMap<>();
    try {
      for (String line : Files.readAllLines(file)) {
        int equals = line.indexOf('=');
        if (equals > 0 && !line.startsWith("#")) {
          values.put(line.substring(0, equals).strip(), line.substring(equals + 1).strip());
        }
      }
    } catch (NoSuchFileException e) {
      throw new IgnisException(ErrorCode.INVALID_ENVIRONMENT, "there is no " + file + "; start flanneld first (it"
          + " writes the file once it holds a lease), or point plugin.flannel.subnet-file at the one it writes");
    } catch (IOException e) {
      throw new IgnisException(ErrorCode.IO_FAILURE, "cannot read " + file + ": " + e.getMessage(), e);
    }
    try {
      Ipv4Net network = Ipv4Net.parse(required(values, "FLANNEL_NETWORK", file));
      String subnetText = required(values, "FLANNEL_SUBNET", file);
      Ipv4Net subnet = Ipv4Net.parse(subnetText);
      String gateway = subnetText.substring(0, subnetText.indexOf('/'));
      if (!network.contains(subnet.address()) || subnet.prefix() < network.prefix()) {
        throw new IgnisException(ErrorCode.DECODING_FAILURE, "FLANNEL_SUBNET " + subnet + " is outside FLANNEL_NETWORK "
            + network);
      }
      int mtu = Integer.parseInt(required(values, "FLANNEL_MTU", file));
      if (mtu < 576 || mtu > 65535) {
        throw new NumberFormatException("FLANNEL_MTU " + mtu + " is not 576 to 65535");
      }
      return new SubnetEnv(network, subnet, gateway, mtu, Boolean.parseBoolean(values.get("FLANNEL_IPMASQ")));
    } catch (IgnisException | NumberFormatException e) {
      throw new IgnisException(ErrorCode.DECODING_FAILURE, file + " is not a subnet.env flanneld wrote: "
          + e.getMessage(), e);
    }
  }

  private static String required(Map<String, String> values, String key, Path file) {
    String value = values.get(key);
    if (value == null || value.isEmpty()) {
      throw new IgnisException(ErrorCode.DECODING_FAILURE, "it has no " + key);
    }
    return value;
  }
}
