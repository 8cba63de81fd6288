package dev.ignis.spi;

import java.util.List;

/**
 * What {@code runtime bootstrap [ACTION] [ARGS...]} asks of a plugin: prepare or inspect the
 * host for this plugin's networks.
 *
 * <p>Each plugin defines its actions; the empty action means "check the host and install
 * what is missing" and every plugin must accept it. Arguments after the action are passed
 * unparsed, for the plugin to read ({@code init --network 10.50.0.0/16}).
 *
 * @param action the action, or empty for the default
 * @param arguments the remaining command-line words
 */
public record BootstrapRequest(String action, List<String> arguments) {

  /** Copies the arguments; a null action means the default one. */
  public BootstrapRequest {
    action = action == null ? "" : action;
    arguments = arguments == null ? List.of() : List.copyOf(arguments);
  }

  /** The action (empty for the default one) with its arguments. */
  public static BootstrapRequest of(String action, List<String> arguments) {
    return new BootstrapRequest(action, arguments);
  }

  /** The default action with no arguments. */
  public static BootstrapRequest defaults() {
    return new BootstrapRequest("", List.of());
  }
}
