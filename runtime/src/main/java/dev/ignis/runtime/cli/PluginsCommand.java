package dev.ignis.runtime.cli;

import dev.ignis.runtime.plugin.PluginInfo;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

/** {@code runtime plugins}. */
@Command(name = "plugins", mixinStandardHelpOptions = true,
    description = "List the network plugins found in the plugins dir, with skipped jars and why"
        + " (-o json adds each plugin's provider).")
final class PluginsCommand implements Callable<Integer> {

  @ParentCommand RootCommand root;
  @Mixin OutputOption output;

  @Override
  public Integer call() {
    List<PluginInfo> infos = root.plugins().infos();
    if (!output.isTable()) {
      output.print(root.out, infos);
      return 0;
    }
    String defaultPlugin = root.settings().defaultPlugin();
    Table table = new Table("ID", "VERSION", "REQUIRES SPI", "STATE", "DESCRIPTION", "JAR");
    for (PluginInfo info : infos) {
      String id = info.id().equals(defaultPlugin) && info.isStarted() ? info.id() + " (default)" : info.id();
      table.row(id.isEmpty() ? "-" : id, info.version(), info.requires(), info.state(),
          info.description().isEmpty() ? "-" : info.description(), info.jar());
    }
    table.print(root.out);
    return 0;
  }
}
