package dev.ignis.runtime.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;

/** Turns on debug logs for {@code -v}. */
final class Logging {

  private Logging() {}

  static void enableDebug() {
    if (LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME) instanceof Logger root) {
      root.setLevel(Level.DEBUG);
      ((Logger) LoggerFactory.getLogger("org.pf4j")).setLevel(Level.INFO);
    }
  }
}
