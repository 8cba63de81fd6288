package dev.ignis.runtime.cds;

import dev.ignis.runtime.cli.Cli;
import dev.ignis.runtime.config.SettingsLoader;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The training run for the AppCDS archive the launcher makes once per installation: it runs
 * the common commands against a throw-away state dir so that their classes land in the
 * archive. Touches nothing on the host but a temp dir.
 */
public final class Training {

  private Training() {}

  public static void main(String[] args) throws IOException {
    Path state = Files.createTempDirectory("ignis-cds-");
    Optional<Path> home = Optional.ofNullable(System.getProperty(SettingsLoader.HOME_PROPERTY)).map(Path::of);
    PrintStream sink = new PrintStream(OutputStream.nullOutputStream());
    try {
      Cli cli = new Cli(sink, sink, new SettingsLoader(Map.of("IGNIS_STATE_DIR", state.toString()), home));
      cli.run("ps");
      cli.run("ps", "-a", "-o", "json");
      cli.run("plugins");
      cli.run("plugins", "-o", "yaml");
      cli.run("create", "--name", "cds-training", "-p", "8080:80");
      cli.run("inspect", "cds-training");
      cli.run("ps", "-a");
      cli.run("rm", "cds-training");
      cli.run("version");
      cli.run("--help");
      cli.run("no-such-command");
    } finally {
      try (Stream<Path> files = Files.walk(state)) {
        files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
      }
    }
  }
}
