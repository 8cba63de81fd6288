package dev.ignis.plugin.flannel;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.ClientBuilder;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.support.CloseableClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * Flannel's data in etcd (v3 API, flanneld's key layout): the network config and the subnet
 * leases, each lease bound to an etcd lease with a TTL so that a dead node's subnet expires.
 * Every call waits at most the timeout and fails with one line naming the endpoints.
 */
final class EtcdStore implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();
  /** gRPC logs through java.util.logging; its INFO lines would end up on the user's terminal. */
  private static final java.util.logging.Logger GRPC_LOG = java.util.logging.Logger.getLogger("io.grpc");

  static {
    GRPC_LOG.setLevel(java.util.logging.Level.WARNING);
  }

  private final Client client;
  private final String endpoints;
  private final Duration timeout;

  private EtcdStore(Client client, String endpoints, Duration timeout) {
    this.client = client;
    this.endpoints = endpoints;
    this.timeout = timeout;
  }

  /** Connects and checks that etcd answers. */
  static EtcdStore connect(List<String> endpoints, EtcdTls tls, Duration timeout) {
    Thread thread = Thread.currentThread();
    ClassLoader previous = thread.getContextClassLoader();
    thread.setContextClassLoader(EtcdStore.class.getClassLoader()); // Vert.x and gRPC look up providers there
    try {
      ClientBuilder builder = Client.builder().endpoints(endpoints.toArray(String[]::new))
          .connectTimeout(timeout).keepaliveWithoutCalls(false);
      if (tls != null) {
        builder.sslContext(tls.clientContext());
      }
      EtcdStore store = new EtcdStore(builder.build(), String.join(",", endpoints), timeout);
      try {
        store.get(FlannelConfig.KEY);
        return store;
      } catch (IgnisException e) {
        store.close();
        throw e;
      }
    } finally {
      thread.setContextClassLoader(previous);
    }
  }

  String endpoints() {
    return endpoints;
  }

  Optional<FlannelConfig> config() {
    return get(FlannelConfig.KEY).map(value -> read(value, FlannelConfig.class, FlannelConfig.KEY));
  }

  void putConfig(FlannelConfig config) {
    await("write the network config", client.getKVClient().put(bytes(FlannelConfig.KEY), bytes(write(config))));
  }

  /** The leases in etcd; values another tool wrote that do not parse are reported and skipped. */
  Map<Ipv4Net, SubnetLease.Attrs> leases(Consumer<String> warnings) {
    List<KeyValue> kvs = await("list the subnet leases", client.getKVClient().get(bytes(SubnetLease.PREFIX),
        GetOption.builder().isPrefix(true).build())).getKvs();
    Map<Ipv4Net, SubnetLease.Attrs> leases = new LinkedHashMap<>();
    for (KeyValue kv : kvs) {
      String key = text(kv.getKey());
      Ipv4Net subnet = SubnetLease.subnetOfKey(key);
      try {
        if (subnet == null) {
          throw new IOException("not a subnet key");
        }
        SubnetLease.Attrs attrs = JSON.readValue(text(kv.getValue()), SubnetLease.Attrs.class);
        if (attrs.publicIp() == null) {
          throw new IOException("no PublicIP");
        }
        Ipv4Net.address(attrs.publicIp());
        leases.put(subnet, attrs);
      } catch (IOException | RuntimeException e) {
        warnings.accept("skipping lease " + key + ": its value is not a flannel lease (" + e.getMessage() + ")");
      }
    }
    return leases;
  }

  /** A subnet key as etcd holds it: its lease attributes (null if another tool wrote something else), revision and etcd lease. */
  record Held(SubnetLease.Attrs attrs, long modRevision, long leaseId) {}

  /** Who holds the subnet's key now, if anyone. */
  Optional<Held> held(Ipv4Net subnet) {
    String key = SubnetLease.PREFIX + subnet.keyForm();
    List<KeyValue> kvs = await("read the lease of " + subnet, client.getKVClient().get(bytes(key))).getKvs();
    if (kvs.isEmpty()) {
      return Optional.empty();
    }
    KeyValue kv = kvs.get(0);
    SubnetLease.Attrs attrs;
    try {
      attrs = JSON.readValue(text(kv.getValue()), SubnetLease.Attrs.class);
    } catch (IOException e) {
      attrs = null;
    }
    return Optional.of(new Held(attrs, kv.getModRevision(), kv.getLease()));
  }

  /** Rebinds the key to a new etcd lease only if no one changed it since {@code modRevision}; true if it did. */
  boolean replace(Ipv4Net subnet, SubnetLease.Attrs attrs, long leaseId, long modRevision) {
    ByteSequence key = bytes(new SubnetLease(subnet, attrs).key());
    return await("renew the lease of " + subnet, client.getKVClient().txn()
        .If(new Cmp(key, Cmp.Op.EQUAL, CmpTarget.modRevision(modRevision)))
        .Then(Op.put(key, bytes(write(attrs)), PutOption.builder().withLeaseId(leaseId).build()))
        .commit()).isSucceeded();
  }

  /**
   * Revokes an etcd lease (its keys go with it); returns false if that failed (gone already, or
   * etcd unreachable): it then expires at its TTL.
   */
  boolean revoke(long leaseId) {
    try {
      await("revoke etcd lease " + Long.toHexString(leaseId), client.getLeaseClient().revoke(leaseId));
      return true;
    } catch (IgnisException e) {
      return false;
    }
  }

  long grant(Duration ttl) {
    return await("grant an etcd lease", client.getLeaseClient().grant(ttl.toSeconds())).getID();
  }

  /** Writes the lease only if no one holds the subnet; true if it was free. */
  boolean claim(Ipv4Net subnet, SubnetLease.Attrs attrs, long leaseId) {
    ByteSequence key = bytes(new SubnetLease(subnet, attrs).key());
    return await("claim subnet " + subnet, client.getKVClient().txn()
        .If(new Cmp(key, Cmp.Op.EQUAL, CmpTarget.version(0)))
        .Then(Op.put(key, bytes(write(attrs)), PutOption.builder().withLeaseId(leaseId).build()))
        .commit()).isSucceeded();
  }

  /** Deletes the subnet's key only if no one changed it since {@code modRevision}; true if it did. */
  boolean deleteIfUnchanged(Ipv4Net subnet, long modRevision) {
    ByteSequence key = bytes(SubnetLease.PREFIX + subnet.keyForm());
    return await("release the lease of " + subnet, client.getKVClient().txn()
        .If(new Cmp(key, Cmp.Op.EQUAL, CmpTarget.modRevision(modRevision)))
        .Then(Op.delete(key, io.etcd.jetcd.options.DeleteOption.DEFAULT))
        .commit()).isSucceeded();
  }

  /** Keeps the etcd lease alive (jetcd renews at a third of the TTL) until closed. */
  CloseableClient keepAlive(long leaseId, Consumer<Throwable> onError) {
    return client.getLeaseClient().keepAlive(leaseId,
        new io.grpc.stub.StreamObserver<io.etcd.jetcd.lease.LeaseKeepAliveResponse>() {
          @Override
          public void onNext(io.etcd.jetcd.lease.LeaseKeepAliveResponse response) {}

          @Override
          public void onError(Throwable error) {
            onError.accept(error);
          }

          @Override
          public void onCompleted() {
            onError.accept(new IllegalStateException("the lease ended"));
          }
        });
  }

  /** Calls {@code onChange} for every change under the leases prefix until closed. */
  Watch.Watcher watchLeases(Runnable onChange, Consumer<Throwable> onError) {
    return client.getWatchClient().watch(bytes(SubnetLease.PREFIX), WatchOption.builder().isPrefix(true).build(),
        response -> onChange.run(), onError);
  }

  @Override
  public void close() {
    client.close();
  }

  private Optional<String> get(String key) {
    List<KeyValue> kvs = await("read " + key, client.getKVClient().get(bytes(key))).getKvs();
    return kvs.isEmpty() ? Optional.empty() : Optional.of(text(kvs.get(0).getValue()));
  }

  private <T> T await(String what, CompletableFuture<T> future) {
    try {
      return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      future.cancel(true);
      throw unreachable(what, "no answer within " + timeout.toSeconds() + " s");
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      while (cause.getCause() != null) {
        cause = cause.getCause();
      }
      throw unreachable(what, cause.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IgnisException(ErrorCode.TRY_AGAIN_LATER, "interrupted while trying to " + what);
    }
  }

  private IgnisException unreachable(String what, String why) {
    return new IgnisException(ErrorCode.PLUGIN_NOT_AVAILABLE, "cannot " + what + " in etcd at " + endpoints + " ("
        + why + "); is etcd running there, its port (2379/tcp) open, and the scheme right (https with --bundle for a"
        + " secure network, http with --insecure)?");
  }

  static <T> T read(String value, Class<T> type, String key) {
    try {
      return JSON.readValue(value, type);
    } catch (IOException e) {
      throw new IgnisException(ErrorCode.DECODING_FAILURE, key + " in etcd is not valid JSON: " + e.getMessage(), e);
    }
  }

  static String write(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (IOException e) {
      throw new IgnisException(ErrorCode.INTERNAL, "cannot write " + value + " as JSON", e);
    }
  }

  private static ByteSequence bytes(String text) {
    return ByteSequence.from(text, StandardCharsets.UTF_8);
  }

  private static String text(ByteSequence bytes) {
    return bytes.toString(StandardCharsets.UTF_8);
  }
}
