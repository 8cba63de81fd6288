package dev.ignis.runtime.daemon;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import dev.ignis.runtime.stdio.RoutedStdio;
import org.slf4j.Marker;

/**
 * Debug logs for the commands run with {@code -v} only: the log level is the daemon's, shared
 * by all commands, so a command's {@code -v} lets its own threads' debug lines through instead
 * of changing it (they reach that command's client through {@link RoutedStdio}).
 */
final class DebugPerCommand extends TurboFilter {

  @Override
  public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
    if (level.isGreaterOrEqual(Level.INFO) || logger.getName().startsWith("org.pf4j")) {
      return FilterReply.NEUTRAL;
    }
    return RoutedStdio.current().filter(RoutedStdio.Target::verbose).isPresent() ? FilterReply.ACCEPT
        : FilterReply.NEUTRAL;
  }

  /** Adds the filter to logback's context, when logback is the binding. */
  static void install() {
    if (org.slf4j.LoggerFactory.getILoggerFactory() instanceof ch.qos.logback.classic.LoggerContext context) {
      DebugPerCommand filter = new DebugPerCommand();
      filter.setContext(context);
      filter.start();
      context.addTurboFilter(filter);
    }
  }
}
