package dev.ignis.runtime.cli;

import dev.ignis.runtime.vm.NetworkSpec;
import dev.ignis.runtime.vm.PublishedPort;
import dev.ignis.runtime.vm.Vm;
import dev.ignis.runtime.vm.VmLifecycle;
import dev.ignis.runtime.vm.VmStatus;
import dev.ignis.runtime.vm.VmStore;
import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import dev.ignis.spi.PortMapping;
import dev.ignis.spi.Protocol;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code runtime port ls|add|rm}: a VM's host port mappings, changed live on a running VM. */
@Command(name = "port", mixinStandardHelpOptions = true,
    description = "List or change a VM's published ports; a running VM's change at once, without touching its IP.",
    subcommands = {PortCommand.Ls.class, PortCommand.Add.class, PortCommand.Rm.class})
final class PortCommand implements Callable<Integer> {

  @ParentCommand RootCommand root;

  @Override
  public Integer call() {
    throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
        "missing subcommand: ls, add or rm");
  }

  /** Applies the change to the VM's spec (its ports); prints the VM's name. */
  int change(String vm, java.util.function.UnaryOperator<dev.ignis.runtime.vm.VmSpec> edit) {
    Vm changed = root.service(VmLifecycle.class).changePorts(vm, edit);
    root.out.println(changed.name());
    return 0;
  }

  @Command(name = "ls", mixinStandardHelpOptions = true, description = "List a VM's port mappings.")
  static final class Ls implements Callable<Integer> {
    @ParentCommand PortCommand port;
    @Mixin OutputOption output;

    @Parameters(paramLabel = "VM", description = "VM name or id, or a unique start of either.")
    String vm;

    @Override
    public Integer call() {
      Vm found = port.root.service(VmStore.class).find(vm);
      List<PortMapping> ports = found.publishedPorts();
      if (!output.isTable()) {
        output.print(port.root.out, ports);
        return 0;
      }
      Table table = new Table("HOST IP", "HOST PORT", "VM PORT", "PROTOCOL");
      ports.forEach(p -> table.row(p.hostIp(), String.valueOf(p.hostPort()), String.valueOf(p.vmPort()), p.protocol().label()));
      table.print(port.root.out);
      return 0;
    }
  }

  @Command(name = "add", mixinStandardHelpOptions = true, description = "Publish more VM ports on the host.")
  static final class Add implements Callable<Integer> {
    @ParentCommand PortCommand port;

    @Parameters(index = "0", paramLabel = "VM", description = "VM name or id, or a unique start of either.")
    String vm;

    @Parameters(index = "1..*", arity = "1..*", paramLabel = "SPEC", converter = Converters.Published.class,
        description = "[NETWORK/][hostIp:]hostPort:vmPort[/tcp|udp]; NETWORK is one of the VM's networks (default:"
            + " its first).")
    List<PublishedPort> specs;

    @Override
    public Integer call() {
      return port.change(vm, spec -> PublishedPort.addTo(spec, specs.stream()
          .filter(wanted -> !spec.networks().get(wanted.networkIndex(spec)).ports().contains(wanted.mapping())).toList()));
    }
  }

  @Command(name = "rm", mixinStandardHelpOptions = true, description = "Stop publishing VM ports.")
  static final class Rm implements Callable<Integer> {
    @ParentCommand PortCommand port;

    @Parameters(index = "0", paramLabel = "VM", description = "VM name or id, or a unique start of either.")
    String vm;

    @Parameters(index = "1..*", arity = "1..*", paramLabel = "PORT",
        description = "A mapping as given to add, or [NETWORK/]hostPort[/tcp|udp].")
    List<String> specs;

    @Override
    public Integer call() {
      return port.change(vm, vmSpec -> {
        List<NetworkSpec> networks = new java.util.ArrayList<>(vmSpec.networks());
        for (String text : specs) {
          String network = PublishedPort.networkOf(text.strip());
          String spec = PublishedPort.withoutNetwork(text);
          int only = network.isEmpty() ? -1 : PublishedPort.networkIndex(network, vmSpec, text);
          boolean removed = false;
          for (int i = 0; i < networks.size(); i++) {
            List<PortMapping> ports = new java.util.ArrayList<>(networks.get(i).ports());
            if ((only < 0 || only == i) && ports.removeIf(p -> matches(p, spec))) {
              networks.set(i, networks.get(i).withPorts(ports));
              removed = true;
            }
          }
          if (!removed) {
            throw new IgnisException(ErrorCode.NOT_FOUND, "VM '" + vm + "' has no port mapping " + text
                + "; see 'runtime port ls " + vm + "'");
          }
        }
        return vmSpec.withNetworks(networks);
      });
    }

    private static boolean matches(PortMapping mapping, String spec) {
      if (spec.matches("\\d{1,5}(/\\w+)?")) {
        String[] parts = spec.split("/");
        Protocol protocol = parts.length > 1 ? Protocol.parse(parts[1]) : Protocol.TCP;
        return mapping.hostPort() == Integer.parseInt(parts[0]) && mapping.protocol() == protocol;
      }
      return mapping.equals(new Converters.Port().convert(spec));
    }
  }
}
