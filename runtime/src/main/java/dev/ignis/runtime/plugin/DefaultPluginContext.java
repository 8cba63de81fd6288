package dev.ignis.runtime.plugin;

import dev.ignis.runtime.config.Settings;
import dev.ignis.runtime.stdio.RoutedStdio;
import dev.ignis.spi.CommandRunner;
import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import dev.ignis.spi.PluginContext;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Optional;

/** The context of one plugin: its state dir and settings, the command runner, the user's stderr, its jobs. */
public final class DefaultPluginContext implements PluginContext {

  private final String pluginId;
  private final Settings settings;
  private final CommandRunner commands;
  private final PrintStream err;
  private final PluginJobs jobs;
  /** The notices already said, per command (its streams; one key for work outside any command). */
  private final Map<Object, Set<String>> said = Collections.synchronizedMap(new WeakHashMap<>());
  private static final Object NO_COMMAND = new Object();

  public DefaultPluginContext(String pluginId, Settings settings, CommandRunner commands, PrintStream err,
      PluginJobs jobs) {
    this.pluginId = pluginId;
    this.settings = settings;
    this.commands = commands;
    this.err = err;
    this.jobs = jobs;
  }

  @Override
  public Path stateDir() {
    Path dir = settings.pluginStateDir(pluginId);
    try {
      return Files.createDirectories(dir);
    } catch (IOException e) {
      throw new IgnisException(ErrorCode.IO_FAILURE, "cannot create the state dir of plugin " + pluginId + " at "
          + dir + ": " + e.getMessage(), e);
    }
  }

  @Override
  public Optional<String> setting(String key) {
    return settings.pluginSetting(pluginId, key);
  }

  @Override
  public CommandRunner commands() {
    return commands;
  }

  @Override
  public void notice(String message) {
    Object command = RoutedStdio.current().<Object>map(target -> target).orElse(NO_COMMAND);
    if (said.computeIfAbsent(command, key -> ConcurrentHashMap.newKeySet()).add(message)) {
      err.println("note [" + pluginId + "]: " + message);
    }
  }

  @Override
  public boolean startService(String name, Runnable job) {
    return jobs.start(pluginId, name, job);
  }

  @Override
  public boolean stopService(String name, Duration grace) {
    return jobs.stop(pluginId, name, grace);
  }
}
