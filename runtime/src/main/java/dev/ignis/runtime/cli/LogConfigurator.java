package dev.ignis.runtime.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.LayoutBase;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import ch.qos.logback.core.spi.ContextAwareBase;
import org.slf4j.Logger;

/**
 * Logging set up in code: warnings and errors on standard error, one line each; standard
 * output stays for results. {@code -v} turns on debug. Configured in code rather than XML
 * because parsing a logback.xml costs a short-lived command a tenth of a second.
 */
public final class LogConfigurator extends ContextAwareBase implements Configurator {

  @Override
  public ExecutionStatus configure(LoggerContext context) {
    LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
    encoder.setContext(context);
    OneLineLayout layout = new OneLineLayout();
    layout.setContext(context);
    layout.start();
    encoder.setLayout(layout);
    encoder.start();

    ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
    stderr.setContext(context);
    stderr.setName("stderr");
    stderr.setTarget("System.err");
    stderr.setEncoder(encoder);
    stderr.start();

    ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.WARN);
    root.addAppender(stderr);
    context.getLogger("org.pf4j").setLevel(Level.OFF);
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }

  /** Sets the level of a logger, the root's for an empty name (ignisd's own lines, its {@code -v}). */
  public static void setLevel(String logger, String level) {
    if (org.slf4j.LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
      context.getLogger(logger.isEmpty() ? Logger.ROOT_LOGGER_NAME : logger).setLevel(Level.toLevel(level));
    }
  }

  /**
   * {@code LEVEL Logger: message}, with the stack trace of a logged exception; prefixed with the
   * time where the system property {@code ignis.log.time} is true (ignisd's log).
   */
  private static final class OneLineLayout extends LayoutBase<ILoggingEvent> {
    private static final boolean TIMESTAMPS = Boolean.getBoolean("ignis.log.time");

    @Override
    public String doLayout(ILoggingEvent event) {
      String name = event.getLoggerName();
      StringBuilder line = new StringBuilder();
      if (TIMESTAMPS) {
        line.append(java.time.Instant.ofEpochMilli(event.getTimeStamp())).append(' ');
      }
      line.append(event.getLevel()).append(' ')
          .append(name.substring(name.lastIndexOf('.') + 1)).append(": ")
          .append(event.getFormattedMessage()).append(CoreConstants.LINE_SEPARATOR);
      if (event.getThrowableProxy() != null) {
        line.append(ThrowableProxyUtil.asString(event.getThrowableProxy())).append(CoreConstants.LINE_SEPARATOR);
      }
      return line.toString();
    }
  }
}
