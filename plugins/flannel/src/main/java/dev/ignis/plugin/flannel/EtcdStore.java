package dev.ignis.plugin.flannel;

import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Flannel's data in etcd (v3 API, flanneld's key layout): the network config and the subnet
 * leases, each lease bound to an etcd lease with a TTL so that a dead node's subnet expires.
 * Conditional writes are etcd transactions. Every call waits at most the timeout and fails with
 * one line naming the endpoints. Not thread-safe but for the watch's callbacks.
 */
final class EtcdStore implements AutoCloseable {

  private final EtcdHttp http;
  private final String endpoints;
  private final Duration timeout;

  private EtcdStore(EtcdHttp http, String endpoints, Duration timeout) {
    this.http = http;
    this.endpoints = endpoints;
    this.timeout = timeout;
  }

  /** Connects and checks that etcd answers. */
  static EtcdStore connect(List<String> endpoints, EtcdTls tls, Duration timeout) {
    EtcdStore store = new EtcdStore(new EtcdHttp(endpoints, tls == null ? null : tls.sslContext(), timeout),
        String.join(",", endpoints), timeout);
    try {
      store.get(FlannelConfig.KEY);
      return store;
    } catch (IgnisException e) {
      store.close();
      throw e;
    }
  }

  String endpoints() {
    return endpoints;
  }

  Optional<FlannelConfig> config() {
    return get(FlannelConfig.KEY).map(EtcdStore::readConfig);
  }

  void putConfig(FlannelConfig config) {
    call("write the network config", "/v3/kv/put", put(FlannelConfig.KEY, config.json(), 0));
  }

  /** The leases in etcd; values another tool wrote that do not parse are reported and skipped. */
  Map<Ipv4Net, SubnetLease.Attrs> leases(Consumer<String> warnings) {
    Map<String, Object> range = object("key", base64(SubnetLease.PREFIX), "range_end",
        base64(prefixEnd(SubnetLease.PREFIX)));
    Map<Ipv4Net, SubnetLease.Attrs> leases = new LinkedHashMap<>();
    for (Map<String, Object> kv : kvs("list the subnet leases", range)) {
      String key = text(kv.get("key"));
      Ipv4Net subnet = SubnetLease.subnetOfKey(key);
      try {
        if (subnet == null) {
          throw new IOException("not a subnet key");
        }
        SubnetLease.Attrs attrs = SubnetLease.Attrs.fromJson(Json.object(text(kv.get("value"))));
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
    List<Map<String, Object>> kvs = kvs("read the lease of " + subnet, object("key", base64(key)));
    if (kvs.isEmpty()) {
      return Optional.empty();
    }
    Map<String, Object> kv = kvs.get(0);
    SubnetLease.Attrs attrs;
    try {
      attrs = SubnetLease.Attrs.fromJson(Json.object(text(kv.get("value"))));
    } catch (IOException e) {
      attrs = null;
    }
    return Optional.of(new Held(attrs, int64(kv, "mod_revision"), int64(kv, "lease")));
  }

  /** Rebinds the key to a new etcd lease only if no one changed it since {@code modRevision}; true if it did. */
  boolean replace(Ipv4Net subnet, SubnetLease.Attrs attrs, long leaseId, long modRevision) {
    String key = new SubnetLease(subnet, attrs).key();
    return transaction("renew the lease of " + subnet, compare(key, "MOD", "mod_revision", modRevision),
        object("request_put", put(key, attrs.json(), leaseId)));
  }

  /** Writes the lease only if no one holds the subnet; true if it was free. */
  boolean claim(Ipv4Net subnet, SubnetLease.Attrs attrs, long leaseId) {
    String key = new SubnetLease(subnet, attrs).key();
    return transaction("claim subnet " + subnet, compare(key, "VERSION", "version", 0),
        object("request_put", put(key, attrs.json(), leaseId)));
  }

  /** Deletes the subnet's key only if no one changed it since {@code modRevision}; true if it did. */
  boolean deleteIfUnchanged(Ipv4Net subnet, long modRevision) {
    String key = SubnetLease.PREFIX + subnet.keyForm();
    return transaction("release the lease of " + subnet, compare(key, "MOD", "mod_revision", modRevision),
        object("request_delete_range", object("key", base64(key))));
  }

  long grant(Duration ttl) {
    return int64(call("grant an etcd lease", "/v3/lease/grant", object("TTL", String.valueOf(ttl.toSeconds()))), "ID");
  }

  /**
   * Revokes an etcd lease (its keys go with it); returns false if that failed (gone already, or
   * etcd unreachable): it then expires at its TTL.
   */
  boolean revoke(long leaseId) {
    try {
      call("revoke etcd lease " + Long.toHexString(leaseId), "/v3/lease/revoke",
          object("ID", String.valueOf(leaseId)));
      return true;
    } catch (IgnisException e) {
      return false;
    }
  }

  /** Renews an etcd lease once; returns false if it is gone (expired or revoked). */
  boolean renew(long leaseId) {
    Map<String, Object> answer = call("renew etcd lease " + Long.toHexString(leaseId), "/v3/lease/keepalive",
        object("ID", String.valueOf(leaseId)));
    try {
      return int64(Json.child(answer, "result"), "TTL") > 0; // etcd leaves TTL out for a lease it no longer has
    } catch (IOException e) {
      throw new IgnisException(ErrorCode.DECODING_FAILURE, "etcd at " + endpoints + " answered something unexpected: "
          + e.getMessage(), e);
    }
  }

  /** Calls {@code onChange} for every change under the leases prefix until closed; {@code onError} when etcd ends it. */
  EtcdHttp.Stream watchLeases(Runnable onChange, Consumer<Throwable> onError) {
    Map<String, Object> create = object("create_request", object("key", base64(SubnetLease.PREFIX), "range_end",
        base64(prefixEnd(SubnetLease.PREFIX))));
    try {
      return http.stream("/v3/watch", create, message -> {
        if (message.get("error") != null) {
          onError.accept(new IOException("etcd ended the watch: " + message.get("error")));
        } else {
          onChange.run();
        }
      }, onError);
    } catch (IOException e) {
      throw unreachable("watch the subnet leases", e.getMessage());
    }
  }

  @Override
  public void close() {
    http.close();
  }

  private Optional<String> get(String key) {
    List<Map<String, Object>> kvs = kvs("read " + key, object("key", base64(key)));
    return kvs.isEmpty() ? Optional.empty() : Optional.of(text(kvs.get(0).get("value")));
  }

  /** The key-values a range call answers (none: etcd leaves {@code kvs} out). */
  @SuppressWarnings("unchecked")
  private List<Map<String, Object>> kvs(String what, Map<String, Object> range) {
    Object kvs = call(what, "/v3/kv/range", range).get("kvs");
    List<Map<String, Object>> list = new ArrayList<>();
    if (kvs instanceof List<?> all) {
      for (Object kv : all) {
        list.add((Map<String, Object>) kv);
      }
    }
    return list;
  }

  private boolean transaction(String what, Map<String, Object> compare, Map<String, Object> then) {
    Map<String, Object> txn = object("compare", List.of(compare), "success", List.of(then));
    return Boolean.TRUE.equals(call(what, "/v3/kv/txn", txn).get("succeeded"));
  }

  private static Map<String, Object> compare(String key, String target, String field, long value) {
    return object("key", base64(key), "target", target, "result", "EQUAL", field, String.valueOf(value));
  }

  private static Map<String, Object> put(String key, String value, long leaseId) {
    Map<String, Object> put = object("key", base64(key), "value", base64(value));
    if (leaseId != 0) {
      put.put("lease", String.valueOf(leaseId));
    }
    return put;
  }

  /** A JSON object from key, value pairs, in order. */
  private static Map<String, Object> object(Object... pairs) {
    Map<String, Object> object = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      object.put((String) pairs[i], pairs[i + 1]);
    }
    return object;
  }

  private long int64(Map<String, Object> object, String key) {
    try {
      return Json.int64(object, key);
    } catch (IOException e) {
      throw new IgnisException(ErrorCode.DECODING_FAILURE, "etcd at " + endpoints + " answered something unexpected: "
          + e.getMessage(), e);
    }
  }

  private Map<String, Object> call(String what, String path, Map<String, Object> body) {
    try {
      return http.post(path, body);
    } catch (EtcdHttp.Rejected e) {
      throw new IgnisException(ErrorCode.IO_FAILURE, "etcd at " + endpoints + " refused to " + what + ": "
          + e.getMessage());
    } catch (java.net.SocketTimeoutException e) {
      throw unreachable(what, "no answer within " + timeout.toSeconds() + " s");
    } catch (IOException e) {
      throw unreachable(what, e.getMessage());
    }
  }

  private IgnisException unreachable(String what, String why) {
    return new IgnisException(ErrorCode.PLUGIN_NOT_AVAILABLE, "cannot " + what + " in etcd at " + endpoints + " ("
        + why + "); is etcd running there, its port (2379/tcp) open, and the scheme right (https with --bundle for a"
        + " secure network, http with --insecure)?");
  }

  private static FlannelConfig readConfig(String value) {
    try {
      return FlannelConfig.fromJson(Json.object(value));
    } catch (IOException e) {
      throw new IgnisException(ErrorCode.DECODING_FAILURE, FlannelConfig.KEY + " in etcd is not a flannel network config"
          + " (" + e.getMessage() + "); fix it with etcdctl, or clean the network up", e);
    }
  }

  /** The end of a prefix range: the prefix with its last byte incremented (etcd's clientv3.GetPrefixRangeEnd). */
  private static String prefixEnd(String prefix) {
    return prefix.substring(0, prefix.length() - 1) + (char) (prefix.charAt(prefix.length() - 1) + 1);
  }

  private static String base64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  private static String text(Object base64) {
    return base64 == null ? "" : new String(Base64.getDecoder().decode(base64.toString()), StandardCharsets.UTF_8);
  }
}
