package dev.ignis.runtime.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.inject.Inject;
import com.google.inject.Singleton;
import dev.ignis.runtime.cli.VmView;
import dev.ignis.runtime.config.Settings;
import dev.ignis.runtime.daemon.http.Exchange;
import dev.ignis.runtime.vm.BootSpec;
import dev.ignis.runtime.vm.MacAddress;
import dev.ignis.runtime.vm.NetworkSpec;
import dev.ignis.runtime.vm.PublishedPort;
import dev.ignis.runtime.vm.Vm;
import dev.ignis.runtime.vm.VmLifecycle;
import dev.ignis.runtime.vm.VmSpec;
import dev.ignis.runtime.vm.VmStatus;
import dev.ignis.runtime.vm.VmStore;
import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import dev.ignis.spi.PortMapping;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The VM resources of the API, {@code /v1/vms...}: the same store and lifecycle the commands
 * use, answering with the documents {@code runtime ps -o json} (a list) and {@code runtime
 * inspect} (one VM) print.
 */
@Singleton
final class VmApi {

  private final VmStore store;
  private final VmLifecycle lifecycle;
  private final Settings settings;
  private final com.google.inject.Provider<dev.ignis.runtime.image.oci.OciImages> images;
  private final com.google.inject.Provider<dev.ignis.runtime.image.kernel.Kernels> kernels;

  @Inject
  VmApi(VmStore store, VmLifecycle lifecycle, Settings settings,
      com.google.inject.Provider<dev.ignis.runtime.image.oci.OciImages> images,
      com.google.inject.Provider<dev.ignis.runtime.image.kernel.Kernels> kernels) {
    this.kernels = kernels;
    this.store = store;
    this.lifecycle = lifecycle;
    this.settings = settings;
    this.images = images;
  }

  /** {@code GET /v1/vms[?all=true]}: running VMs, or all of them. */
  void list(Exchange exchange) throws IOException {
    boolean all = flag(exchange, "all");
    List<VmView> views = store.list().vms().stream()
        .map(lifecycle::reconcile)
        .filter(vm -> all || vm.status() != VmStatus.CREATED && vm.status() != VmStatus.STOPPED)
        .map(vm -> VmView.of(vm, vm.status().isTransitional() && store.isIdle(vm), store.vmDir(vm.id())))
        .toList();
    Json.respond(exchange, 200, views);
  }

  /** {@code GET /v1/vms/{vm}}: the full record. */
  void inspect(Exchange exchange, String vm) throws IOException {
    Json.respond(exchange, 200, lifecycle.reconcile(store.find(vm)));
  }

  /** {@code POST /v1/vms}: creates a VM from a spec document; 201 with its record. */
  void create(Exchange exchange) throws IOException {
    JsonNode body = Json.body(exchange);
    String name = body.path("name").asText("vm-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt())
        .substring(0, 6));
    BootSpec.checkCmdline(text(body, "cmdline"));
    if (text(body, "initrd") != null && !text(body, "initrd").startsWith("/")) {
      throw new IgnisException(ErrorCode.INVALID_ARGUMENT, "initrd must be an absolute path (ignisd has no working"
          + " directory of yours)");
    }
    String kernel = text(body, "kernel");
    if (kernel != null && !kernel.startsWith("/")) { // an imported kernel's name or id
      kernel = kernel.equals(dev.ignis.runtime.image.kernel.Kernels.DEFAULT) ? "" : kernels.get().find(kernel).id();
    }
    String image = text(body, "image");
    BootSpec boot = new BootSpec(kernel, text(body, "initrd"), text(body, "cmdline"),
        body.path("accel").asText("auto"), image == null ? "" : images.get().find(image).id(),
        body.path("diskSizeMib").asLong(0), strings(body, "copyFiles"));
    VmSpec spec = new VmSpec(name, boot, body.path("cpus").asInt(1), body.path("memoryMib").asInt(256),
        networks(body), strings(body, "dns"), text(body, "ssh"), labels(body));
    Json.respond(exchange, 201, lifecycle.create(PublishedPort.addTo(spec, ports(body.path("ports")))));
  }

  /**
   * The networks of a create: {@code networks}, a list of {@code {plugin, network, mac, ips,
   * netOptions}}, or one network from the fields {@code networkPlugin}, {@code network}, {@code
   * mac}, {@code ips} and {@code netOptions} (the default plugin's default network when none is given).
   */
  private List<NetworkSpec> networks(JsonNode body) {
    if (!body.has("networks")) {
      return List.of(network(body, body.path("networkPlugin").asText(settings.defaultPlugin())));
    }
    for (String single : new String[] {"networkPlugin", "network", "mac", "ips", "netOptions"}) {
      if (body.has(single)) {
        throw new IgnisException(ErrorCode.INVALID_ARGUMENT, "give '" + single + "' inside each of 'networks', not"
            + " beside it");
      }
    }
    if (!body.get("networks").isArray()) {
      throw new IgnisException(ErrorCode.INVALID_ARGUMENT, "networks must be an array of {plugin, network, mac, ips,"
          + " netOptions} objects");
    }
    List<NetworkSpec> networks = new ArrayList<>();
    for (JsonNode network : body.get("networks")) {
      if (!network.hasNonNull("plugin")) {
        throw new IgnisException(ErrorCode.INVALID_ARGUMENT, "each of 'networks' names its 'plugin'");
      }
      networks.add(network(network, network.get("plugin").asText()));
    }
    return networks;
  }

  private static NetworkSpec network(JsonNode node, String plugin) {
    return new NetworkSpec(plugin, node.path("network").asText(""),
        node.hasNonNull("mac") ? node.get("mac").asText() : MacAddress.random().value(), strings(node, "ips"),
        List.of(), options(node));
  }

  /** {@code POST /v1/vms/{vm}/start}. */
  void start(Exchange exchange, String vm) throws IOException {
    Json.respond(exchange, 200, lifecycle.start(vm, Optional.ofNullable(exchange.request().query().get("networkPlugin"))));
  }

  /** {@code POST /v1/vms/{vm}/stop[?timeout=SECONDS]}, and {@code kill} (no grace). */
  void stop(Exchange exchange, String vm, boolean kill) throws IOException {
    int seconds = kill ? 0 : number(exchange, "timeout", 10);
    VmLifecycle.StopResult result = lifecycle.stop(vm, Duration.ofSeconds(seconds));
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("vm", result.vm());
    answer.put("wasRunning", result.wasRunning());
    Json.respond(exchange, 200, answer);
  }

  /** {@code DELETE /v1/vms/{vm}[?force=true]}. */
  void remove(Exchange exchange, String vm) throws IOException {
    VmLifecycle.Removal removal = lifecycle.remove(vm, flag(exchange, "force"));
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("removed", removal.name());
    answer.put("warning", removal.warning().orElse(null));
    Json.respond(exchange, 200, answer);
  }

  /** {@code GET /v1/vms/{vm}/ports}: in effect while attached, else asked for. */
  void ports(Exchange exchange, String vm) throws IOException {
    Json.respond(exchange, 200, store.find(vm).publishedPorts());
  }

  /**
   * {@code PUT /v1/vms/{vm}/ports}: makes the VM's mappings the given list, live on a running
   * VM; each published from the network it names ({@code NETWORK/...}, or {@code network}), else the first.
   */
  void setPorts(Exchange exchange, String vm) throws IOException {
    List<PublishedPort> wanted = ports(Json.body(exchange));
    Vm changed = lifecycle.changePorts(vm, current -> PublishedPort.addTo(current.withNetworks(current.networks()
        .stream().map(n -> n.withPorts(List.of())).toList()), wanted));
    Json.respond(exchange, 200, changed.publishedPorts());
  }

  private static List<PublishedPort> ports(JsonNode node) {
    if (node.isMissingNode() || node.isNull()) {
      return List.of();
    }
    if (!node.isArray()) {
      throw new IgnisException(ErrorCode.INVALID_ARGUMENT, "ports must be an array of \"[hostIp:]hostPort:vmPort[/proto]\""
          + " strings or {hostIp, hostPort, vmPort, protocol} objects");
    }
    List<PublishedPort> ports = new ArrayList<>();
    for (JsonNode port : node) {
      if (port.isTextual()) {
        ports.add(PublishedPort.parse(port.asText()));
      } else {
        String protocol = port.path("protocol").asText("tcp");
        String hostIp = port.path("hostIp").asText(PortMapping.ANY_HOST_IP);
        ports.add(new PublishedPort(port.path("network").asText(""), PortMapping.parse(
            (hostIp.contains(":") ? "[" + hostIp + "]" : hostIp) + ":" + port.path("hostPort").asInt(-1) + ":"
            + port.path("vmPort").asInt(-1) + "/" + protocol.toLowerCase())));
      }
    }
    return ports;
  }

  private static String text(JsonNode body, String field) {
    return body.hasNonNull(field) ? body.get(field).asText() : null;
  }

  private static List<String> strings(JsonNode body, String field) {
    List<String> values = new ArrayList<>();
    body.path(field).forEach(value -> values.add(value.asText()));
    return values;
  }

  private static Map<String, String> labels(JsonNode body) {
    Map<String, String> labels = new LinkedHashMap<>();
    body.path("labels").fields().forEachRemaining(entry -> labels.put(entry.getKey(), entry.getValue().asText()));
    return labels;
  }

  private static Map<String, String> options(JsonNode body) {
    Map<String, String> options = new LinkedHashMap<>();
    body.path("netOptions").fields().forEachRemaining(entry -> options.put(entry.getKey(), entry.getValue().asText()));
    return options;
  }

  private static boolean flag(Exchange exchange, String name) {
    String value = exchange.request().query().getOrDefault(name, "false");
    return value.isEmpty() || value.equals("true") || value.equals("1");
  }

  private static int number(Exchange exchange, String name, int fallback) {
    String value = exchange.request().query().get(name);
    if (value == null) {
      return fallback;
    }
    if (!value.matches("\\d{1,5}")) {
      throw new IgnisException(ErrorCode.INVALID_ARGUMENT, name + " must be a number of seconds, not '" + value + "'");
    }
    return Integer.parseInt(value);
  }
}
