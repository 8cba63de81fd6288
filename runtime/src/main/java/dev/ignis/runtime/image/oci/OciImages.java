package dev.ignis.runtime.image.oci;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ignis.runtime.vm.FileLock;
import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The imported images, content-addressed under the state dir: {@code oci-images/sha256/<id>/}
 * holds an image's root file system ({@code rootfs.ext4}), its configuration ({@code
 * config.json}) and what Ignis knows of it ({@code image.json}); {@code names.json} maps names
 * ({@code busybox:latest}) to ids. An import works in a {@code tmp-*} directory of its own and
 * moves the finished image in with one rename, under {@code store.lock}, so a crash leaves at
 * most a {@code tmp-*} directory, which the next import or {@code gc} removes.
 */
public final class OciImages {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration LOCK_WAIT = Duration.ofMinutes(30);

  private final Path dir;

  public OciImages(Path stateDir) {
    this.dir = stateDir.resolve("oci-images");
  }

  Path dir() {
    return dir;
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
      JsonNode config, String init, boolean sshServer) {

    /** Its first name, else its short id: how messages name it. */
    public String label() {
      return names.isEmpty() ? shortId() : names.get(0);
    }

    /** The id's first 12 hex digits, as Docker shows ids. */
    public String shortId() {
      return id.substring("sha256:".length(), "sha256:".length() + 12);
    }
  }

  /** Every image, newest first. */
  public List<Image> list() {
    Map<String, List<String>> names = namesById();
    List<Image> images = new ArrayList<>();
    Path blobs = dir.resolve("sha256");
    if (!Files.isDirectory(blobs)) {
      return images;
    }
    try (Stream<Path> entries = Files.list(blobs)) {
      for (Path entry : entries.toList()) {
        read(entry, names).ifPresent(images::add);
      }
    } catch (IOException e) {
      throw new IgnisException(ErrorCode.IO_FAILURE, "cannot list images in " + dir + ": " + e.getMessage(), e);
    }
    images.sort((a, b) -> b.importedAt().compareTo(a.importedAt()));
    return images;
  }

  /** The image a name, an id or a unique id prefix (3 digits or more) names. */
  public Image find(String reference) {
    // A name or a whole id (how VM records name their image, at every start) reads that image
    // alone; only an id prefix needs them all.
    Optional<String> exact = asName(reference).map(names()::get)
        .or(() -> Optional.of(reference).filter(r -> r.matches("sha256:[0-9a-f]{64}")));
    if (exact.isPresent()) {
      return read(dirOf(exact.get()), namesById()).orElseThrow(() -> missing(reference));
    }
    List<Image> images = list();
    String hex = reference.startsWith("sha256:") ? reference.substring(7) : reference;
    if (hex.matches("[0-9a-f]{3,64}")) {
      List<Image> matching = images.stream().filter(i -> i.id().substring(7).startsWith(hex)).toList();
      if (matching.size() == 1) {
        return matching.get(0);
      }
      if (matching.size() > 1) {
        throw new IgnisException(ErrorCode.INVALID_ARGUMENT, "image id prefix '" + reference + "' matches "
            + matching.size() + " images (" + String.join(", ", matching.stream().map(Image::shortId).toList())
            + "); give more of it");
      }
    }
    throw missing(reference);
  }

  private IgnisException missing(String reference) {
    return new IgnisException(ErrorCode.NOT_FOUND, "no image '" + reference + "'; 'runtime image ls' lists them,"
        + " 'runtime image import SOURCE' adds one");
  }

  /**
   * Adds an image made in {@code work} (holding rootfs.ext4 and config.json) with its own init
   * (or empty) and whether it has an SSH server, or names the one already there.
   */
  Image add(String id, Path work, List<String> wantedNames, String source, String init, boolean sshServer) {
    try (FileLock lock = lock()) {
      Path target = dirOf(id);
      if (!Files.isDirectory(target)) {
        ObjectNode meta = JSON.createObjectNode().put("id", id).put("source", source)
            .put("importedAt", Instant.now().toString()).put("sizeBytes", Files.size(work.resolve("rootfs.ext4")))
            .put("init", init).put("sshServer", sshServer);
        Files.writeString(work.resolve("image.json"), meta.toPrettyString());
        Files.createDirectories(target.getParent());
        Files.move(work, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      }
      Map<String, String> names = names();
      wantedNames.forEach(name -> names.put(normalized(name), id));
      writeNames(names);
      return read(target, namesById()).orElseThrow(() -> missing(id));
    } catch (IOException e) {
      throw new IgnisException(ErrorCode.IO_FAILURE, "cannot store image " + id + " in " + dir + ": " + e.getMessage(), e);
    }
  }

  /** Whether an image of that id is stored. */
  boolean has(String id) {
    return Files.isRegularFile(dirOf(id).resolve("image.json"));
  }

  /**
   * Removes a name; the image goes with its last name, or at once when given by id. {@code
   * inUse} names the VMs using it: removal is refused then.
   */
  public List<String> remove(String reference, java.util.function.Function<Image, List<String>> inUse) {
    try (FileLock lock = lock()) {
      Image image = find(reference);
      Map<String, String> names = names();
      Optional<String> name = asName(reference).filter(n -> image.id().equals(names.get(n)));
      boolean byName = name.isPresent();
      List<String> removed = new ArrayList<>();
      if (byName) {
        names.remove(name.get());
        removed.add("untagged " + name.get());
      }
      boolean lastName = names.values().stream().noneMatch(image.id()::equals);
      if (!byName || lastName) {
        List<String> users = inUse.apply(image);
        if (!users.isEmpty()) {
          throw new IgnisException(ErrorCode.INVALID_STATE, "image " + reference + " is used by VM " + String.join(", ",
              users) + "; remove " + (users.size() > 1 ? "them" : "it") + " first");
        }
        names.values().removeIf(image.id()::equals);
        writeNames(names);
        deleteTree(dirOf(image.id()));
        removed.add("deleted " + image.id());
      } else {
        writeNames(names);
      }
      return removed;
    } catch (IOException e) {
      throw new IgnisException(ErrorCode.IO_FAILURE, "cannot remove image " + reference + ": " + e.getMessage(), e);
    }
  }

  /**
   * A new work directory for an import, locked by the returned lock until the import ends;
   * {@link #removeLeftovers} removes it once nobody holds that lock (a crash or kill).
   */
  WorkDir newWorkDir() {
    try (FileLock store = lock()) {
      Path work = Files.createTempDirectory(dir, "tmp-");
      return new WorkDir(work, FileLock.acquire(work.resolve("import.lock"), Duration.ofSeconds(1), "the import in " + work));
    } catch (IOException e) {
      throw new IgnisException(ErrorCode.IO_FAILURE, "cannot make a work directory in " + dir + ": " + e.getMessage(), e);
    }
  }

  /** An import's work directory and the lock that marks it as running. */
  record WorkDir(Path dir, FileLock lock) implements AutoCloseable {
    @Override
    public void close() {
      lock.close();
    }
  }

  /** Removes the work directories of imports that are not running (a crash or kill left them). */
  public List<String> removeLeftovers() {
    List<String> removed = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return removed;
    }
    try (FileLock store = lock(); Stream<Path> entries = Files.list(dir)) {
      for (Path work : entries.filter(p -> p.getFileName().toString().startsWith("tmp-")).toList()) {
        if (FileLock.isFree(work.resolve("import.lock"))) {
          deleteTree(work);
          removed.add("removed " + work + " (an interrupted image import)");
        }
      }
    } catch (IOException e) {
      throw new IgnisException(ErrorCode.IO_FAILURE, "cannot clean " + dir + ": " + e.getMessage(), e);
    }
    return removed;
  }

  private Optional<Image> read(Path imageDir, Map<String, List<String>> names) {
    try {
      JsonNode meta = JSON.readTree(imageDir.resolve("image.json").toFile());
      String id = meta.path("id").asText();
      return Optional.of(new Image(id, names.getOrDefault(id, List.of()), meta.path("source").asText(),
          Instant.parse(meta.path("importedAt").asText()), meta.path("sizeBytes").asLong(),
          imageDir.resolve("rootfs.ext4"), JSON.readTree(imageDir.resolve("config.json").toFile()),
          meta.path("init").asText(""), meta.path("sshServer").asBoolean(false)));
    } catch (IOException | RuntimeException e) {
      return Optional.empty(); // not an image (yet): skipped
    }
  }

  private Path dirOf(String id) {
    return dir.resolve("sha256").resolve(id.substring("sha256:".length()));
  }

  private FileLock lock() throws IOException {
    Files.createDirectories(dir);
    return FileLock.acquire(dir.resolve("store.lock"), LOCK_WAIT, "the image store");
  }

  private Map<String, String> names() {
    Path file = dir.resolve("names.json");
    Map<String, String> names = new TreeMap<>();
    if (Files.isRegularFile(file)) {
      try {
        JSON.readTree(file.toFile()).fields().forEachRemaining(e -> names.put(e.getKey(), e.getValue().asText()));
      } catch (IOException e) {
        throw new IgnisException(ErrorCode.IO_FAILURE, "cannot read " + file + ": " + e.getMessage(), e);
      }
    }
    return names;
  }

  private Map<String, List<String>> namesById() {
    Map<String, List<String>> byId = new TreeMap<>();
    names().forEach((name, id) -> byId.computeIfAbsent(id, k -> new ArrayList<>()).add(name));
    return byId;
  }

  private void writeNames(Map<String, String> names) throws IOException {
    Path file = dir.resolve("names.json");
    Path temporary = dir.resolve("names.json.tmp");
    ObjectNode json = JSON.createObjectNode();
    names.forEach(json::put);
    Files.writeString(temporary, json.toPrettyString());
    Files.move(temporary, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
  }

  /** The reference as a stored name, if it is a name at all (not an id). */
  private static Optional<String> asName(String reference) {
    try {
      return Optional.of(normalized(reference));
    } catch (IgnisException notAName) {
      return Optional.empty();
    }
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

  static void deleteTree(Path path) throws IOException {
    if (!Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(path)) {
      for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
