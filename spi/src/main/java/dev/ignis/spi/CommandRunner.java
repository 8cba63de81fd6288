package dev.ignis.spi;

/**
 * Runs host commands for a plugin, on the host or inside a network namespace.
 *
 * <p>Implementations are thread-safe. A command that outlives its timeout is killed and
 * reported as {@link ErrorCode#TRY_AGAIN_LATER}; a program that cannot be started is reported
 * as {@link ErrorCode#PLUGIN_NOT_AVAILABLE}. A non-zero exit is not an exception: check
 * {@link CommandResult#succeeded()} or call {@link CommandResult#orThrow}.
 */
public interface CommandRunner {

  /** Runs the command to completion and returns how it ended. */
  CommandResult run(Command command);
}
