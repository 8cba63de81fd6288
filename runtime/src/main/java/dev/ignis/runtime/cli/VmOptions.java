package dev.ignis.runtime.cli;

import dev.ignis.runtime.vm.BootSpec;
import dev.ignis.runtime.vm.MacAddress;
import dev.ignis.runtime.vm.VmSpec;
import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import dev.ignis.spi.PortMapping;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Option;

/** The options that describe a new VM, shared by {@code create} and {@code run}. */
final class VmOptions {

  @Option(names = "--name", paramLabel = "NAME",
      description = "VM name: lower-case letters, digits and dashes, at most 63 (default: vm-<id prefix>).")
  String name;

  @Option(names = "--kernel", paramLabel = "FILE",
      description = "Uncompressed PVH kernel (vmlinux) to boot, with --initrd (default: the default image).")
  String kernel;

  @Option(names = "--initrd", paramLabel = "FILE", description = "Initramfs to boot, with --kernel.")
  String initrd;

  @Option(names = "--cmdline", paramLabel = "ARGS", description = "Extra kernel arguments, one line; not ip=,"
      + " console= or ignis.name=, which Ignis sets.")
  String cmdline;

  @Option(names = "--accel", paramLabel = "ACCEL", defaultValue = "auto",
      description = "auto (KVM where a probe shows it works, else TCG), kvm or tcg (default: ${DEFAULT-VALUE}).")
  String accel;

  @Option(names = "--cpus", paramLabel = "N", description = "Virtual CPUs, 1 to 32 (default: ${DEFAULT-VALUE}).",
      defaultValue = "1")
  int cpus;

  @Option(names = "--memory", paramLabel = "SIZE", converter = Converters.MemoryMib.class,
      description = "Memory, 64M to 64G (default: ${DEFAULT-VALUE}).", defaultValue = "256M")
  int memoryMib;

  @Option(names = "--mac", paramLabel = "MAC",
      description = "MAC address the VM keeps for life (default: a random locally administered one).")
  String mac;

  @Option(names = "--ip", paramLabel = "IP", description = "Static IP address for the VM (repeatable).")
  List<String> ips = new ArrayList<>();

  @Option(names = {"-p", "--publish"}, paramLabel = "SPEC", converter = Converters.Port.class,
      description = "Publish a VM port on the host: [hostIp:]hostPort:vmPort[/tcp|udp] (repeatable).")
  List<PortMapping> ports = new ArrayList<>();

  @Option(names = "--network-plugin", paramLabel = "ID", description = "Network plugin for this VM.")
  String networkPlugin;

  @Option(names = "--network", paramLabel = "PLUGIN[:NETWORK][,ip=IP][,mac=MAC]",
      description = "The VM's network: a plugin, which of its networks (for cni a CNI network's name; default:"
          + " the plugin's default) and the VM's static IPs (ip= repeatable) and MAC on it. One per VM for now.")
  List<String> networks = new ArrayList<>();

  @Option(names = "--net-opt", paramLabel = "KEY=VALUE",
      description = "An option for the network plugin (repeatable); 'runtime plugins' names the plugin's options.")
  Map<String, String> netOptions = new LinkedHashMap<>();

  /**
   * The spec; a missing name is left for the caller to fill in after the id is known. Kernel
   * and initrd paths are kept absolute, resolved against the caller's directory.
   */
  VmSpec toSpec(Optional<String> pluginChoice, String defaultPlugin, String fallbackName, CliSession session) {
    BootSpec.checkCmdline(cmdline);
    String kernelPath = kernel == null || kernel.isBlank() ? kernel : session.resolve(kernel).toString();
    String initrdPath = initrd == null || initrd.isBlank() ? initrd : session.resolve(initrd).toString();
    NetworkChoice network = network(pluginChoice.orElse(defaultPlugin));
    if (pluginChoice.isPresent() && !pluginChoice.get().equals(network.plugin())) {
      throw new IgnisException(ErrorCode.INVALID_ARGUMENT, "--network-plugin " + pluginChoice.get() + " and --network "
          + network.plugin() + " name two plugins for one network; give the plugin once, with --network");
    }
    if (mac != null && network.mac().isPresent()) {
      throw new IgnisException(ErrorCode.INVALID_ARGUMENT, "--mac " + mac + " and --network ...,mac="
          + network.mac().get() + " both give the VM's MAC; give it once");
    }
    List<String> staticIps = new ArrayList<>(ips);
    staticIps.addAll(network.ips());
    String vmMac = network.mac().orElse(mac == null ? MacAddress.random().value() : mac);
    return new VmSpec(name == null ? fallbackName : name, new BootSpec(kernelPath, initrdPath, cmdline, accel), cpus,
        memoryMib, vmMac, staticIps, ports, network.plugin(), netOptions, network.network());
  }

  /** The VM's network: as {@code --network} gives it, else the plugin's default network. */
  private NetworkChoice network(String plugin) {
    if (networks.size() > 1) {
      throw new IgnisException(ErrorCode.NOT_SUPPORTED, "--network is given " + networks.size() + " times, but a VM"
          + " has one network for now; give one --network");
    }
    return networks.isEmpty() ? new NetworkChoice(plugin, "", List.of(), Optional.empty())
        : NetworkChoice.parse(networks.get(0));
  }
}
