package dev.ignis.runtime.daemon;

import com.google.inject.Inject;
import com.google.inject.Injector;
import com.google.inject.Singleton;
import dev.ignis.runtime.cli.CliSession;
import dev.ignis.runtime.config.Settings;
import dev.ignis.runtime.plugin.PluginJobs;
import java.io.PrintStream;

/**
 * The runtime services a command in ignisd uses: the daemon's own (plugins loaded once, one VM
 * store and lifecycle, shared by all commands) when the command's settings are the daemon's,
 * as they are when the same user's environment started it; else services wired for that one
 * command, exactly as in a process of its own. Either way a command sees its own settings.
 */
@Singleton
final class ResidentServices implements CliSession.Services {

  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ResidentServices.class);

  private final Settings settings;
  private final Injector resident;
  private final PluginJobs jobs;

  @Inject
  ResidentServices(Settings settings, Injector resident, PluginJobs jobs) {
    this.settings = settings;
    this.resident = resident;
    this.jobs = jobs;
  }

  @Override
  public Injector forSettings(Settings wanted, PrintStream err) {
    if (wanted.withVerbose(settings.verbose()).equals(settings)) {
      return resident;
    }
    log.debug("a command with settings of its own: wired for it alone");
    return CliSession.wire(wanted, err, jobs); // the daemon's plugin jobs all the same: one per node
  }
}
