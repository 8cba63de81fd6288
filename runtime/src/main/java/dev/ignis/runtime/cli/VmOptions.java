package dev.ignis.runtime.cli;

import dev.ignis.runtime.vm.BootSpec;
import dev.ignis.runtime.vm.MacAddress;
import dev.ignis.runtime.vm.NetworkSpec;
import dev.ignis.runtime.vm.PublishedPort;
import dev.ignis.runtime.vm.VmSpec;
import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Option;

/** The options that describe a new VM, shared by {@code create} and {@code run}. */
final class VmOptions {

  @Option(names = "--name", paramLabel = "NAME",
      description = "VM name: lower-case letters, digits and dashes, at most 63 (default: vm- and 6 random hex"
          + " digits).")
  String name;

  @Option(names = "--kernel", paramLabel = "KERNEL",
      description = "Kernel to boot: an imported one's name or id ('runtime kernel ls'), or the path of an"
          + " uncompressed PVH kernel (vmlinux) (default: the default image's lean kernel).")
  String kernel;

  @Option(names = "--initrd", paramLabel = "FILE", description = "Initramfs to boot instead of Ignis' own (not with"
      + " an IMAGE).")
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

  @Option(names = "--size", paramLabel = "SIZE", converter = Converters.DiskMib.class,
      description = "Size of the root disk of a VM of an IMAGE, grown from the image's (e.g. 4G; default: the"
          + " image's).")
  long diskSizeMib;

  @Option(names = "--copy-files", paramLabel = "HOST:GUEST", description = "Copy a host file or directory into the"
      + " guest at create (repeatable), as Ignite does; kept at every boot of the initramfs, written once into an"
      + " IMAGE's disk.")
  List<String> copyFiles = new ArrayList<>();

  @Option(names = "--memory", paramLabel = "SIZE", converter = Converters.MemoryMib.class,
      description = "Memory, 64M to 64G (default: ${DEFAULT-VALUE}).", defaultValue = "256M")
  int memoryMib;

  @Option(names = "--mac", paramLabel = "MAC",
      description = "MAC address the VM's first network card keeps for life (default: a random locally"
          + " administered one).")
  String mac;

  @Option(names = "--ip", paramLabel = "IP", description = "Static IP address on the VM's first network (repeatable).")
  List<String> ips = new ArrayList<>();

  @picocli.CommandLine.Parameters(index = "0", arity = "0..1", paramLabel = "IMAGE",
      description = "An imported image to boot ('runtime image ls'; default: none, the default image's initramfs"
          + " alone). The VM gets its own copy-on-write disk of it and runs its command.")
  String image;

  @Option(names = "--ssh", arity = "0..1", paramLabel = "PUBKEY", preprocessor = SshOption.class,
      description = "Let root log in over SSH (an IMAGE with an SSH server): --ssh alone makes a key pair for the"
          + " VM ('runtime ssh', 'exec' and 'cp' use it); --ssh=FILE takes a public key file instead.")
  String ssh;

  /** {@code --ssh} takes a value only as {@code --ssh=PUBKEY}: the next word is the IMAGE, not a key. */
  static final class SshOption implements picocli.CommandLine.IParameterPreprocessor {
    @Override
    public boolean preprocess(java.util.Stack<String> args, picocli.CommandLine.Model.CommandSpec commandSpec,
        picocli.CommandLine.Model.ArgSpec argSpec, Map<String, Object> info) {
      if (" ".equals(info.get("separator"))) { // written apart: no value of its own
        argSpec.setValue(dev.ignis.runtime.vm.VmSpec.GENERATED_KEY);
        return true;
      }
      return false;
    }
  }

  @Option(names = {"-l", "--label"}, paramLabel = "KEY=VALUE", description = "A label of your own on the VM"
      + " (repeatable): 'ps --filter label=KEY' or 'label=KEY=VALUE' selects by it.")
  List<String> labels = new ArrayList<>();

  /** The {@code --label} words as a map; a word without '=' is a key with an empty value, as in Docker. */
  Map<String, String> labelMap() {
    Map<String, String> map = new java.util.LinkedHashMap<>();
    for (String label : labels) {
      int eq = label.indexOf('=');
      String key = eq < 0 ? label : label.substring(0, eq);
      if (map.put(key, eq < 0 ? "" : label.substring(eq + 1)) != null) {
        throw new IgnisException(ErrorCode.INVALID_ARGUMENT, "--label " + key + " is given twice; give each key once");
      }
    }
    return map;
  }

  @Option(names = "--dns", paramLabel = "IP", description = "A nameserver for the guest (repeatable, up to 3;"
      + " default: its networks', else the host's).")
  List<String> dns = new ArrayList<>();

  @Option(names = {"-p", "--publish"}, paramLabel = "SPEC", converter = Converters.Published.class,
      description = "Publish a VM port on the host: [NETWORK/][hostIp:]hostPort:vmPort[/tcp|udp], from the VM's"
          + " network of that name (default: its first; repeatable).")
  List<PublishedPort> ports = new ArrayList<>();

  @Option(names = "--network-plugin", paramLabel = "ID", description = "Network plugin for this VM (one network).")
  String networkPlugin;

  @Option(names = "--network", paramLabel = "PLUGIN[:NETWORK][,ip=IP][,mac=MAC]",
      description = "A network of the VM (repeatable; each is one network card, eth0, eth1, ... in order): a plugin,"
          + " which of its networks (for cni a CNI network's name; default: the plugin's default) and the VM's"
          + " static IPs (ip= repeatable) and MAC on it.")
  List<String> networks = new ArrayList<>();

  @Option(names = "--net-opt", paramLabel = "KEY=VALUE",
      description = "An option for the network plugin of the VM's first network (repeatable); 'runtime plugins'"
          + " names the plugin's options.")
  Map<String, String> netOptions = new LinkedHashMap<>();

  /** {@code --ssh}: none, a key pair of the VM's own, or the public key in a file of the caller's. */
  private String sshKey(CliSession session) {
    if (ssh == null || ssh.equals(dev.ignis.runtime.vm.VmSpec.GENERATED_KEY)) {
      return ssh;
    }
    java.nio.file.Path file = session.resolve(ssh);
    try {
      return java.nio.file.Files.readAllLines(file).stream().filter(line -> !line.isBlank()).findFirst().orElse("");
    } catch (java.io.IOException e) {
      throw new IgnisException(ErrorCode.INVALID_ARGUMENT, "--ssh=" + ssh + ": cannot read " + file + " (" + e
          .getClass().getSimpleName() + "); give a public key file such as ~/.ssh/id_ed25519.pub");
    }
  }

  /**
   * The spec; a missing name is left for the caller to fill in after the id is known. Kernel
   * and initrd paths are kept absolute, resolved against the caller's directory; {@code
   * imageIds} and {@code kernelIds} give the id an image's or a kernel's name stands for
   * (empty for a kernel: none of that name).
   */
  /**
   * {@code --kernel}: empty for the default; a word with a slash is a file; else an imported
   * kernel of that name or id, else a file of that name in the caller's directory.
   */
  private String kernel(CliSession session, java.util.function.Function<String, Optional<String>> kernelIds) {
    if (kernel == null || kernel.isBlank() || kernel.equals(dev.ignis.runtime.image.kernel.Kernels.DEFAULT)) {
      return "";
    }
    if (!kernel.contains("/")) {
      Optional<String> id = kernelIds.apply(kernel);
      if (id.isPresent()) {
        return id.get();
      }
    }
    java.nio.file.Path file = session.resolve(kernel);
    if (!kernel.contains("/") && !java.nio.file.Files.isRegularFile(file)) {
      throw new IgnisException(ErrorCode.NOT_FOUND, "--kernel " + kernel + ": no imported kernel and no file of that"
          + " name; 'runtime kernel ls' lists the kernels, 'runtime kernel import FILE' adds one");
    }
    return file.toString();
  }

  /** {@code HOST:GUEST} with HOST made absolute against the caller's directory. */
  private static String hostResolved(String mapping, CliSession session) {
    int colon = mapping.indexOf(':');
    return colon < 1 ? mapping : session.resolve(mapping.substring(0, colon)) + mapping.substring(colon);
  }

  VmSpec toSpec(Optional<String> pluginChoice, String defaultPlugin, String fallbackName, CliSession session,
      java.util.function.UnaryOperator<String> imageIds, java.util.function.Function<String, Optional<String>> kernelIds) {
    BootSpec.checkCmdline(cmdline);
    String imageId = image == null ? "" : imageIds.apply(image);
    String kernelPath = kernel(session, kernelIds);
    String initrdPath = initrd == null || initrd.isBlank() ? initrd : session.resolve(initrd).toString();
    List<NetworkChoice> choices = networks.isEmpty()
        ? List.of(new NetworkChoice(pluginChoice.orElse(defaultPlugin), "", List.of(), Optional.empty()))
        : networks.stream().map(NetworkChoice::parse).toList();
    NetworkChoice first = choices.get(0);
    if (pluginChoice.isPresent() && !pluginChoice.get().equals(first.plugin())) {
      throw new IgnisException(ErrorCode.INVALID_ARGUMENT, "--network-plugin " + pluginChoice.get() + " and --network "
          + first.plugin() + " name two plugins for one network; give the plugin once, with --network");
    }
    if (mac != null && first.mac().isPresent()) {
      throw new IgnisException(ErrorCode.INVALID_ARGUMENT, "--mac " + mac + " and --network ...,mac="
          + first.mac().get() + " both give the first network card's MAC; give it once");
    }
    List<NetworkSpec> specs = new ArrayList<>();
    for (int i = 0; i < choices.size(); i++) {
      NetworkChoice choice = choices.get(i);
      List<String> staticIps = new ArrayList<>(i == 0 ? ips : List.of());
      staticIps.addAll(choice.ips());
      String cardMac = choice.mac().orElse(i == 0 && mac != null ? mac : MacAddress.random().value());
      specs.add(new NetworkSpec(choice.plugin(), choice.network(), cardMac, staticIps, List.of(),
          i == 0 ? netOptions : Map.of()));
    }
    VmSpec spec = new VmSpec(name == null ? fallbackName : name, new BootSpec(kernelPath, initrdPath, cmdline, accel,
        imageId, diskSizeMib, copyFiles.stream().map(m -> hostResolved(m, session)).toList()),
        cpus, memoryMib, specs, dns, sshKey(session), labelMap());
    return PublishedPort.addTo(spec, ports);
  }
}
