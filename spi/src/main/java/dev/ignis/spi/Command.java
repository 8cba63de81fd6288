package dev.ignis.spi;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A host command for {@link CommandRunner}: an argument vector, extra environment, standard
 * input, a timeout and optionally a network namespace to run in.
 *
 * <p>Immutable; build one with {@link #of} and the {@code with*} methods.
 *
 * @param argv the program and its arguments; the program is looked up on {@code PATH}
 * @param environment variables added to the runtime's environment
 * @param stdin text written to standard input, empty for none
 * @param timeout how long the command may run before it is killed
 * @param netnsPath the netns to run in ({@code /run/netns/x}), or empty for the host's
 */
public record Command(
    List<String> argv, Map<String, String> environment, String stdin, Duration timeout, String netnsPath) {

  /** The timeout used when none is given. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

  /** Validates and copies. */
  public Command {
    argv = List.copyOf(Values.required(argv, "argv"));
    if (argv.isEmpty() || argv.get(0).isBlank()) {
      throw Values.invalid("a command needs a program name");
    }
    environment = environment == null ? Map.of() : Map.copyOf(environment);
    stdin = stdin == null ? "" : stdin;
    timeout = timeout == null ? DEFAULT_TIMEOUT : timeout;
    if (timeout.isNegative() || timeout.isZero()) {
      throw Values.invalid("command timeout must be positive");
    }
    netnsPath = netnsPath == null ? "" : netnsPath;
  }

  /** A command with no input, no extra environment and the default timeout. */
  public static Command of(String... argv) {
    return new Command(List.of(argv), Map.of(), "", DEFAULT_TIMEOUT, "");
  }

  /** A command from an argument list. */
  public static Command of(List<String> argv) {
    return new Command(argv, Map.of(), "", DEFAULT_TIMEOUT, "");
  }

  /** This command run inside the given netns. */
  public Command inNetns(String path) {
    return new Command(argv, environment, stdin, timeout, path);
  }

  /** This command with standard input. */
  public Command withStdin(String text) {
    return new Command(argv, environment, text, timeout, netnsPath);
  }

  /** This command with one more environment variable. */
  public Command withEnv(String name, String value) {
    Map<String, String> env = new LinkedHashMap<>(environment);
    env.put(name, value);
    return new Command(argv, env, stdin, timeout, netnsPath);
  }

  /** This command with another timeout. */
  public Command withTimeout(Duration newTimeout) {
    return new Command(argv, environment, stdin, newTimeout, netnsPath);
  }

  /** The argument vector joined by spaces, for messages. */
  public String display() {
    return String.join(" ", argv);
  }
}
