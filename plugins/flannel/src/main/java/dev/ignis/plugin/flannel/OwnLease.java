package dev.ignis.plugin.flannel;

import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The agent's side of flanneld's lease protocol: a subnet is claimed only while its key is
 * absent, and renewed only while the key is still this node's and unchanged (etcd transactions
 * on version and mod revision), never written over. If another node holds the subnet now (this
 * node's lease expired while its agent was down, and a new node took it), this node leases
 * another free one, as flanneld does, instead of fighting for it.
 */
final class OwnLease {

  /** The subnet held and the etcd lease it is bound to. */
  record Holding(Ipv4Net subnet, long leaseId) {}

  private static final int ATTEMPTS = 10;

  private OwnLease() {}

  /**
   * Gives the subnet up if this node still holds it: revokes the etcd lease it is bound to (the
   * key goes with it, and no orphan lease stays), or deletes an unbound key if it is unchanged.
   * Returns false if another node holds it (left alone) or it is gone already.
   */
  static boolean release(EtcdStore etcd, Ipv4Net subnet, String publicIp) {
    Optional<EtcdStore.Held> held = etcd.held(subnet);
    if (held.isEmpty() || held.get().attrs() == null || !publicIp.equals(held.get().attrs().publicIp())) {
      return false;
    }
    return held.get().leaseId() != 0 ? etcd.revoke(held.get().leaseId())
        : etcd.deleteIfUnchanged(subnet, held.get().modRevision());
  }

  /** Holds {@code wanted} if it is free or still this node's, else another free subnet. */
  static Holding hold(EtcdStore etcd, FlannelConfig config, Ipv4Net wanted, SubnetLease.Attrs mine, Duration ttl,
      Consumer<String> log) {
    Ipv4Net subnet = wanted;
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      Optional<EtcdStore.Held> held = etcd.held(subnet);
      boolean ours = held.map(h -> h.attrs() != null && mine.publicIp().equals(h.attrs().publicIp())).orElse(true);
      if (ours) {
        long lease = etcd.grant(ttl);
        boolean done = held.isEmpty() ? etcd.claim(subnet, mine, lease)
            : etcd.replace(subnet, mine, lease, held.get().modRevision());
        if (done) {
          held.filter(h -> h.leaseId() != 0 && h.leaseId() != lease).ifPresent(h -> etcd.revoke(h.leaseId()));
          return new Holding(subnet, lease);
        }
        etcd.revoke(lease); // someone was quicker: look again
        continue;
      }
      String holder = held.get().attrs() == null ? "another tool" : "node " + held.get().attrs().publicIp();
      Map<Ipv4Net, SubnetLease.Attrs> leases = etcd.leases(log);
      SubnetChoice choice = new SubnetChoice(config, leases);
      Ipv4Net next = choice.previousOf(mine.publicIp()).orElseGet(() -> choice.free().stream().findFirst()
          .orElseThrow(() -> new IgnisException(ErrorCode.TRY_AGAIN_LATER, "subnet " + wanted + " is held by "
              + holder + " now, and no free /" + config.subnetLen() + " is left in " + config.network())));
      log.accept("subnet " + subnet + " is held by " + holder + " now; leasing " + next + " instead");
      subnet = next;
    }
    throw new IgnisException(ErrorCode.TRY_AGAIN_LATER, "could not hold a subnet after " + ATTEMPTS
        + " attempts (other nodes keep taking them); retrying");
  }
}
