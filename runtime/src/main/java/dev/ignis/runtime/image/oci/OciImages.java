package dev.ignis.runtime.image.oci;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ignis.runtime.image.NamedStore;
import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * The imported images, in a {@link NamedStore} under the state dir ({@code oci-images/}): an
 * image's directory holds its root file system ({@code rootfs.ext4}) and its configuration
 * ({@code config.json}); names are Docker references ({@code busybox:latest}).
 */
public final class OciImages {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final NamedStore<Image> store;

  public OciImages(Path stateDir) {
    // image.json: how images imported before the store was shared describe themselves
    this.store = new NamedStore<>(stateDir.resolve("oci-images"), "image", "image.json", OciImages::normalized,
        OciImages::read);
  }

  Path dir() {
    return store.dir();
  }

  /**
   * One imported image.
   *
   * @param id its digest ({@code sha256:...})
   * @param names its names
   * @param source what it was imported from
   * @param importedAt when
   * @param sizeBytes its root file system's size
   * @param rootfs the root file system's file
   * @param config the image configuration
   * @param init the image's own init ({@code /sbin/init}), or empty if it has none
   * @param sshServer whether it has an SSH server ({@code /usr/sbin/sshd})
   */
  public record Image(String id, List<String> names, String source, Instant importedAt, long sizeBytes, Path rootfs,
      JsonNode config, String init, boolean sshServer) implements NamedStore.Entry {}

  private static Image read(Path dir, JsonNode meta, List<String> names) throws IOException {
    return new Image(meta.path("id").asText(), names, meta.path("source").asText(),
        Instant.parse(meta.path("importedAt").asText()), meta.path("sizeBytes").asLong(), dir.resolve("rootfs.ext4"),
        JSON.readTree(dir.resolve("config.json").toFile()), meta.path("init").asText(""),
        meta.path("sshServer").asBoolean(false));
  }

  /** Every image, newest first. */
  public List<Image> list() {
    return store.list();
  }

  /** The image a name, an id or a unique id prefix (3 digits or more) names. */
  public Image find(String reference) {
    return store.find(reference);
  }

  /**
   * Adds an image made in {@code work} (holding rootfs.ext4 and config.json) with its own init
   * (or empty) and whether it has an SSH server, or names the one already there.
   */
  Image add(String id, Path work, List<String> wantedNames, String source, String init, boolean sshServer) {
    try {
      Path rootfs = work.resolve("rootfs.ext4"); // absent when the image is stored already
      long size = java.nio.file.Files.exists(rootfs) ? java.nio.file.Files.size(rootfs) : 0;
      return store.add(id, work, wantedNames, JSON.createObjectNode().put("source", source).put("sizeBytes", size)
          .put("init", init).put("sshServer", sshServer));
    } catch (IOException e) {
      throw new IgnisException(ErrorCode.IO_FAILURE, "cannot store image " + id + ": " + e.getMessage(), e);
    }
  }

  /** Whether an image of that id is stored. */
  boolean has(String id) {
    return store.has(id);
  }

  /**
   * Removes a name; the image goes with its last name, or at once when given by id. {@code
   * inUse} names the VMs using it: removal is refused then.
   */
  public List<String> remove(String reference, java.util.function.Function<Image, List<String>> inUse) {
    return store.remove(reference, inUse);
  }

  /** A new work directory for an import, locked until the import ends. */
  NamedStore.WorkDir newWorkDir() {
    return store.newWorkDir();
  }

  /** Removes the work directories of imports that are not running (a crash or kill left them). */
  public List<String> removeLeftovers() {
    return store.removeLeftovers();
  }

  /**
   * A name as stored: lower-case Docker reference syntax, {@code :latest} when it has no tag;
   * one that is not a reference is refused.
   */
  public static String normalized(String name) {
    String lower = name.toLowerCase(java.util.Locale.ROOT);
    if (!lower.matches("[a-z0-9]([a-z0-9._/-]*[a-z0-9])?(:[a-z0-9_][a-z0-9._-]{0,127})?")
        || lower.startsWith("sha256:") || lower.length() > 255) {
      throw new IgnisException(ErrorCode.INVALID_ARGUMENT, "image name '" + name + "' is not valid; use a Docker"
          + " reference such as busybox:1.36 or my/app (lower-case letters, digits, '.', '_', '-', '/')");
    }
    int slash = lower.lastIndexOf('/');
    return lower.indexOf(':', slash + 1) < 0 ? lower + ":latest" : lower;
  }
}
