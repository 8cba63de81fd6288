package dev.ignis.runtime.client;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;

/**
 * Which build of the runtime a process runs: the size and time of the jar it was loaded from.
 * The client sends it with every command; an ignisd of another build (the installation was
 * upgraded under it) is restarted rather than asked to run old code.
 */
public final class BuildId {

  /** The request header that carries it. */
  public static final String HEADER = "Ignis-Build";

  private BuildId() {}

  /** This process's build, or empty when it does not run from a jar (tests). */
  public static String current() {
    try {
      CodeSource source = BuildId.class.getProtectionDomain().getCodeSource();
      if (source == null) {
        return "";
      }
      Path jar = Path.of(source.getLocation().toURI());
      if (!Files.isRegularFile(jar)) {
        return "";
      }
      return Files.size(jar) + "-" + Files.getLastModifiedTime(jar).toMillis();
    } catch (IOException | URISyntaxException | SecurityException e) {
      return "";
    }
  }
}
