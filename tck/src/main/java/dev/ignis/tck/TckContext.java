package dev.ignis.tck;

import dev.ignis.runtime.exec.ProcessCommandRunner;
import dev.ignis.spi.CommandRunner;
import dev.ignis.spi.PluginContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/** The plugin's view of the runtime during the kit's checks: a state dir of its own, its settings, real commands. */
final class TckContext implements PluginContext {

  private final Path stateDir;
  private final Map<String, String> settings;
  private final CommandRunner commands;
  final List<String> notices = new CopyOnWriteArrayList<>();

  /** A context whose host commands run in {@code hostNetns} (empty: on the real host). */
  TckContext(Path stateDir, Map<String, String> settings, String hostNetns) {
    this.stateDir = stateDir;
    this.settings = settings;
    CommandRunner processes = new ProcessCommandRunner();
    this.commands = hostNetns.isEmpty() ? processes
        : command -> processes.run(command.netnsPath().isEmpty() ? command.inNetns(hostNetns) : command);
  }

  @Override
  public Path stateDir() {
    try {
      return Files.createDirectories(stateDir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public Optional<String> setting(String key) {
    return Optional.ofNullable(settings.get(key));
  }

  @Override
  public CommandRunner commands() {
    return commands;
  }

  @Override
  public void notice(String message) {
    notices.add(message);
  }
}
