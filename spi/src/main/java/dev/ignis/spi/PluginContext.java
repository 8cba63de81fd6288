package dev.ignis.spi;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Host services the runtime gives a plugin; the plugin's only view of the runtime.
 *
 * <p>Handed to {@link NetworkPlugin#init} once, before any other call. Thread-safe.
 */
public interface PluginContext {

  /**
   * A directory that belongs to this plugin ({@code /var/lib/ignis/plugins/<id>} by default),
   * created on first use; state kept here survives restarts of the runtime.
   */
  Path stateDir();

  /**
   * A setting for this plugin from the runtime configuration: key {@code k} is read from
   * {@code plugin.<id>.k} in {@code ignis.properties} or from the environment variable
   * {@code IGNIS_PLUGIN_<ID>_<K>} (upper case, dots and dashes as underscores).
   */
  Optional<String> setting(String key);

  /** Runs host commands, also inside network namespaces. */
  CommandRunner commands();

  /**
   * Tells the user something in one line on standard error (a deprecation, a hint), marked
   * with the plugin id; said once per command however often the plugin says it, so a plugin
   * may say it on every call. Not for errors: throw {@link IgnisException} for those.
   */
  void notice(String message);

  /**
   * Runs a long-lived job of this plugin on this node — an agent that holds a lease in a cluster
   * store and follows its peers, a forwarder — on a thread of the resident runtime ({@code
   * ignisd}), and returns true. Where the runtime is not resident (each command a process of its
   * own, {@code IGNIS_DAEMON=off}) it starts nothing and returns false: the plugin then runs the
   * job in a process of its own, or not at all.
   *
   * <p>One job per name and plugin: while one runs, a second {@code startService} with that name
   * starts nothing and returns true. The job outlives the call that started it and runs until it
   * returns, until {@link #stopService}, or until the runtime stops; it is stopped by interrupting
   * its thread, and must then return promptly (blocking waits that ignore interrupts need a time
   * limit). Its thread belongs to no command: what it writes to standard output goes to the
   * runtime's log, so a job keeps a log of its own. A job that throws is logged and not started
   * again. The runtime does not remember jobs across its own restarts: a plugin whose node needs
   * its job starts it again from {@link NetworkPlugin#init}, which a resident runtime calls for
   * every plugin when it starts.
   *
   * @param name a name for the job, unique within the plugin, such as {@code agent}
   * @since 2.1.0
   */
  default boolean startService(String name, Runnable job) {
    return false;
  }

  /**
   * Stops this plugin's job of that name if it runs in this runtime: interrupts its thread and
   * waits up to {@code grace} for it to return. Returns true if one was running (it may still be
   * winding down when the grace period ends), false if none was, also where the runtime is not
   * resident. A job that runs in another process is not this runtime's to stop.
   *
   * @since 2.1.0
   */
  default boolean stopService(String name, Duration grace) {
    return false;
  }
}
