package dev.ignis.runtime;

import dev.ignis.runtime.cli.Cli;

/** The {@code runtime} command. */
public final class Main {

  private Main() {}

  public static void main(String[] args) {
    System.exit(Cli.forThisProcess().run(args));
  }
}
