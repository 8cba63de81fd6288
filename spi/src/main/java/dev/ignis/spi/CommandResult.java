package dev.ignis.spi;

/**
 * How a {@link Command} ended.
 *
 * @param command the command that ran
 * @param exitCode its exit status
 * @param stdout what it wrote to standard output
 * @param stderr what it wrote to standard error
 */
public record CommandResult(Command command, int exitCode, String stdout, String stderr) {

  /** Null output becomes empty. */
  public CommandResult {
    Values.required(command, "command");
    stdout = stdout == null ? "" : stdout;
    stderr = stderr == null ? "" : stderr;
  }

  /** True when the command exited 0. */
  public boolean succeeded() {
    return exitCode == 0;
  }

  /**
   * This result if the command succeeded, else an {@link IgnisException} with the given code
   * naming the command, its status and its first line of error output.
   */
  public CommandResult orThrow(ErrorCode code) {
    if (succeeded()) {
      return this;
    }
    String why = stderr.isBlank() ? stdout : stderr;
    String firstLine = why.strip().lines().findFirst().orElse("no output");
    throw new IgnisException(
        code,
        "'" + command.display() + "' failed with status " + exitCode + ": " + firstLine,
        stderr,
        null);
  }
}
