package dev.ignis.plugin.flannel;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Which subnet a node may lease: the one it held before, else the free ones from SubnetMin to SubnetMax. */
record SubnetChoice(FlannelConfig config, Map<Ipv4Net, SubnetLease.Attrs> leases) {

  /** The subnet a node with this public IP holds already (init or join run again after a crash). */
  Optional<Ipv4Net> previousOf(String publicIp) {
    return leases.entrySet().stream().filter(e -> publicIp.equals(e.getValue().publicIp())).map(Map.Entry::getKey)
        .findFirst();
  }

  /** The free subnets, lowest first. */
  List<Ipv4Net> free() {
    Ipv4Net network = config.net();
    int len = config.subnetLen();
    int min = Ipv4Net.address(config.subnetMin());
    int max = Ipv4Net.address(config.subnetMax());
    List<Ipv4Net> free = new ArrayList<>();
    for (long i = 0; i < network.subnetCount(len); i++) {
      Ipv4Net subnet = network.subnet(len, i);
      if (Integer.compareUnsigned(subnet.address(), min) >= 0 && Integer.compareUnsigned(subnet.address(), max) <= 0
          && leases.keySet().stream().noneMatch(subnet::overlaps)) {
        free.add(subnet);
      }
    }
    return free;
  }
}
