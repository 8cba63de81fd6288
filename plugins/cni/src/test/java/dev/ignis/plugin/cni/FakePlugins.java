package dev.ignis.plugin.cni;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ignis.spi.Command;
import dev.ignis.spi.CommandResult;
import dev.ignis.spi.CommandRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A hand-written fake of the process boundary: CNI plugin "binaries" are empty executable
 * files in a bin dir, and their behaviour per type is a function of the call. Records every
 * call with its environment and configuration.
 */
final class FakePlugins implements CommandRunner {

  record Call(String type, String command, Map<String, String> env, ObjectNode config) {}

  final Path binDir;
  final List<Call> calls = new ArrayList<>();
  private final Map<String, Function<Call, CommandResult>> behaviour = new HashMap<>();

  FakePlugins(Path binDir, String... types) throws IOException {
    this.binDir = Files.createDirectories(binDir);
    for (String type : types) {
      Path binary = binDir.resolve(type);
      Files.writeString(binary, "#!/bin/false\n");
      Files.setPosixFilePermissions(binary, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
  }

  /** How a plugin type answers; by default ADD echoes prevResult or a result with one address. */
  FakePlugins on(String type, Function<Call, CommandResult> answer) {
    behaviour.put(type, answer);
    return this;
  }

  @Override
  public synchronized CommandResult run(Command command) {
    String type = Path.of(command.argv().get(0)).getFileName().toString();
    Call call = new Call(type, command.environment().get("CNI_COMMAND"), command.environment(),
        Json.object(command.stdin(), "stdin"));
    calls.add(call);
    Function<Call, CommandResult> answer = behaviour.get(type);
    if (answer != null) {
      return answer.apply(call);
    }
    if (!"ADD".equals(call.command())) {
      return ok(command, "");
    }
    JsonNode prev = call.config().get("prevResult");
    return ok(command, prev != null ? Json.write(prev) : RESULT);
  }

  static CommandResult ok(Command command, String stdout) {
    return new CommandResult(command, 0, stdout, "");
  }

  static final String RESULT = """
      {"cniVersion":"0.4.0",
       "interfaces":[{"name":"br0","mac":"aa:aa:aa:aa:aa:aa"},
                     {"name":"vethx","mac":"bb:bb:bb:bb:bb:bb"},
                     {"name":"eth0","mac":"02:00:00:00:00:07","sandbox":"/run/netns/x"}],
       "ips":[{"version":"4","interface":2,"address":"10.99.0.5/24","gateway":"10.99.0.1"}],
       "routes":[{"dst":"0.0.0.0/0","gw":"10.99.0.1"}],
       "dns":{"nameservers":["10.99.0.1"],"search":["vm.local"]}}
      """;

  List<String> trace() {
    return calls.stream().map(c -> c.command() + " " + c.type()).toList();
  }
}
