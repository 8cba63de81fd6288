package dev.ignis.bench;

import dev.ignis.spi.CommandRunner;
import dev.ignis.spi.PluginContext;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/** A plugin's view of the runtime for a benchmark: a state dir, fixed settings, a command runner. */
record BenchContext(Path stateDir, Map<String, String> settings, CommandRunner commands) implements PluginContext {

  @Override
  public Optional<String> setting(String key) {
    return Optional.ofNullable(settings.get(key));
  }

  @Override
  public void notice(String message) {
    System.err.println(message);
  }
}
