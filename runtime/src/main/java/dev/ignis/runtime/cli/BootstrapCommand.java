package dev.ignis.runtime.cli;

import dev.ignis.spi.BootstrapRequest;
import dev.ignis.spi.BootstrapResult;
import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.Finding;
import dev.ignis.spi.NetworkPlugin;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code runtime bootstrap}: hand a host-preparation action to the chosen plugin. */
@Command(name = "bootstrap", mixinStandardHelpOptions = true,
    description = {"Check and prepare this host for a network plugin (--network-plugin on the root command).",
        "Without ACTION the runtime's own needs are checked first (QEMU, the accelerator, the default image, the"
            + " state dir), then the plugin checks the host and installs what is missing; other actions"
            + " and their ARGS are the plugin's own (e.g. flannel: init, join HOST, cleanup, status)."})
final class BootstrapCommand implements Callable<Integer> {

  @ParentCommand RootCommand root;
  @Mixin OutputOption output;

  @Parameters(paramLabel = "ACTION", index = "0", arity = "0..1", description = "The plugin's action.")
  String action;

  @Parameters(paramLabel = "ARGS", index = "1..*", arity = "0..*", description = "Arguments for the action.")
  List<String> arguments = new ArrayList<>();

  @Override
  public Integer call() {
    String pluginId = root.pluginChoice(null).orElse(root.settings().defaultPlugin());
    NetworkPlugin plugin = root.plugins().get(pluginId);
    BootstrapResult result = plugin.bootstrap(new BootstrapRequest(action, arguments));
    if (action == null) { // the host check: the runtime's own needs first
      List<Finding> findings = new ArrayList<>(RuntimeChecks.of(root));
      findings.addAll(result.findings());
      result = BootstrapResult.of(findings);
    }
    if (!output.isTable()) {
      output.print(root.out, result);
    } else {
      for (Finding finding : result.findings()) {
        root.out.println((finding.ok() ? "ok    " : "FAIL  ") + finding.subject()
            + (finding.detail().isEmpty() ? "" : ": " + finding.detail()));
      }
    }
    return result.ok() ? 0 : Cli.exitStatus(ErrorCode.PLUGIN_NOT_AVAILABLE);
  }
}
