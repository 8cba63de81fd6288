package dev.ignis.runtime.cli;

import dev.ignis.spi.SpiVersion;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

/** {@code runtime version}. */
@Command(name = "version", mixinStandardHelpOptions = true,
    description = "Show the runtime version, the plugin SPI version and the Java runtime.")
final class VersionCommand implements Callable<Integer> {

  @ParentCommand RootCommand root;
  @Mixin OutputOption output;

  @Override
  public Integer call() {
    Map<String, String> version = new LinkedHashMap<>();
    version.put("version", runtimeVersion());
    version.put("spiVersion", SpiVersion.CURRENT);
    version.put("java", System.getProperty("java.vm.name") + " " + Runtime.version());
    if (output.isTable()) {
      version.forEach((key, value) -> root.out.println(key + ": " + value));
    } else {
      output.print(root.out, version);
    }
    return 0;
  }

  static String runtimeVersion() {
    return dev.ignis.runtime.config.RuntimeVersion.current();
  }

  /** Feeds {@code runtime --version}. */
  static final class Provider implements picocli.CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"runtime " + runtimeVersion() + " (plugin SPI " + SpiVersion.CURRENT + ")"};
    }
  }
}
