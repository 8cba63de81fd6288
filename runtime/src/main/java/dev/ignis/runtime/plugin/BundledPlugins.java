package dev.ignis.runtime.plugin;

import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The plugin jars an installation ships, known by their SHA-256 as the build recorded them in
 * {@code <install>/lib/bundled-plugins.sha256} ({@code sha256sum} format). Asked only when two
 * jars claim one plugin id, so no command pays for hashing jars otherwise.
 */
public final class BundledPlugins {

  /** No installation, or one without the list: no jar counts as bundled. */
  public static final BundledPlugins NONE = new BundledPlugins(Set.of());

  private final Set<String> sha256s;

  private BundledPlugins(Set<String> sha256s) {
    this.sha256s = Set.copyOf(sha256s);
  }

  /** The list of the installation, if it has one. */
  public static BundledPlugins of(Optional<Path> installDir) {
    if (installDir.isEmpty()) {
      return NONE;
    }
    Path list = installDir.get().resolve("lib/bundled-plugins.sha256");
    try {
      return new BundledPlugins(Files.readAllLines(list).stream().map(String::strip).filter(l -> l.matches("[0-9a-f]{64}\\s.*"))
          .map(l -> l.substring(0, 64)).collect(Collectors.toSet()));
    } catch (NoSuchFileException e) {
      return NONE;
    } catch (IOException e) {
      throw new IgnisException(ErrorCode.IO_FAILURE, "cannot read " + list + ": " + e.getMessage(), e);
    }
  }

  /** True if the jar is byte for byte one the installation shipped. */
  boolean isBundled(Path jar) {
    return !sha256s.isEmpty() && sha256s.contains(sha256(jar));
  }

  private static String sha256(Path jar) {
    try (InputStream in = Files.newInputStream(jar)) {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      byte[] buffer = new byte[1 << 16];
      for (int read; (read = in.read(buffer)) > 0; ) {
        digest.update(buffer, 0, read);
      }
      return HexFormat.of().formatHex(digest.digest());
    } catch (IOException e) {
      return ""; // unreadable: not the shipped jar
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
