package dev.ignis.runtime.vm;

import dev.ignis.runtime.guest.HostResolvers;
import dev.ignis.spi.Attachment;
import java.util.List;

/**
 * The nameservers a VM's guest uses, and where they come from: the VM's own ({@code --dns}),
 * else those of its first network whose plugin names any (a CNI result's {@code dns}), else the
 * host's as a guest can reach them ({@link HostResolvers}); at most {@value VmSpec#MAX_DNS}.
 * Possibly none: no public resolver is ever made up.
 *
 * @param servers the nameservers, in order
 * @param source where they come from: {@code --dns}, {@code network PLUGIN[:NETWORK]}, {@code host}
 *     or {@code none}
 */
public record GuestDns(List<String> servers, String source) {

  public GuestDns {
    servers = List.copyOf(servers);
  }

  /** The choice for a VM on these attachments (those made so far, in the order of its networks). */
  public static GuestDns choose(VmSpec spec, List<Attachment> attachments, HostResolvers host) {
    if (!spec.dns().isEmpty()) {
      return new GuestDns(spec.dns(), "--dns");
    }
    for (int i = 0; i < attachments.size(); i++) {
      List<String> servers = attachments.get(i).dns().nameservers().stream().filter(HostResolvers::isUsable).distinct()
          .limit(VmSpec.MAX_DNS).toList();
      if (!servers.isEmpty()) {
        return new GuestDns(servers, "network " + (i < spec.networks().size() ? spec.networks().get(i).label() : "#" + i));
      }
    }
    List<String> hosts = host.servers().servers().stream().limit(VmSpec.MAX_DNS).toList();
    return hosts.isEmpty() ? new GuestDns(List.of(), "none") : new GuestDns(hosts, "host");
  }

  /** The IPv4 ones: what {@code ip=} and DHCP's own option can carry. */
  List<String> ipv4() {
    return servers.stream().filter(s -> !s.contains(":")).toList();
  }
}
