package dev.ignis.runtime.image;

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
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * A content-addressed store of imported things (images, kernels) under a directory of the state
 * dir: {@code sha256/<id>/} holds one entry's files and its description ({@code entry.json});
 * {@code names.json} maps names to ids. An import works in a {@code tmp-*} directory of its own
 * and moves the finished entry in with one rename, under {@code store.lock}, so a crash leaves at
 * most a {@code tmp-*} directory, which the next import or {@code gc} removes.
 *
 * @param <T> what an entry is read as
 */
public final class NamedStore<T extends NamedStore.Entry> {

  /** What every stored thing has. */
  public interface Entry {
    /** Its digest, {@code sha256:<64 hex digits>}. */
    String id();

    /** Its names, possibly none. */
    List<String> names();

    /** When it was imported. */
    Instant importedAt();

    /** Its first name, else its short id: how messages name it. */
    default String label() {
      return names().isEmpty() ? shortId() : names().get(0);
    }

    /** The id's first 12 hex digits, as Docker shows ids. */
    default String shortId() {
      return id().substring("sha256:".length(), "sha256:".length() + 12);
    }
  }

  /** Reads an entry from its directory, its description and its names; throws if it is not one (yet). */
  public interface Reader<T> {
    T read(Path dir, JsonNode description, List<String> names) throws IOException;
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration LOCK_WAIT = Duration.ofMinutes(30);
  private static final String DESCRIPTION = "entry.json";

  private final Path dir;
  private final String kind;
  private final String legacyDescription;
  private final UnaryOperator<String> nameRule;
  private final Reader<T> reader;

  /**
   * @param dir the store's directory
   * @param kind what it holds, for messages and commands ({@code image}, {@code kernel})
   * @param legacyDescription the description's file name of an older layout, read when there is no
   *     {@code entry.json}; or null
   * @param nameRule a name as stored; throws for a name that is not valid
   * @param reader reads an entry
   */
  public NamedStore(Path dir, String kind, String legacyDescription, UnaryOperator<String> nameRule, Reader<T> reader) {
    this.dir = dir;
    this.kind = kind;
    this.legacyDescription = legacyDescription;
    this.nameRule = nameRule;
    this.reader = reader;
  }

  public Path dir() {
    return dir;
  }

  /** Every entry, newest first. */
  public List<T> list() {
    Map<String, List<String>> names = namesById();
    List<T> entries = new ArrayList<>();
    Path blobs = dir.resolve("sha256");
    if (!Files.isDirectory(blobs)) {
      return entries;
    }
    try (Stream<Path> found = Files.list(blobs)) {
      for (Path entry : found.toList()) {
        read(entry, names).ifPresent(entries::add);
      }
    } catch (IOException e) {
      throw new IgnisException(ErrorCode.IO_FAILURE, "cannot list " + kind + "s in " + dir + ": " + e.getMessage(), e);
    }
    entries.sort((a, b) -> b.importedAt().compareTo(a.importedAt()));
    return entries;
  }

  /** The entry a name, an id or a unique id prefix (3 digits or more) names. */
  public T find(String reference) {
    return findIfAny(reference).orElseThrow(() -> missing(reference));
  }

  /** The same, or empty when nothing has that name or id; an ambiguous prefix still throws. */
  public Optional<T> findIfAny(String reference) {
    // A name or a whole id (how VM records name what they use, at every start) reads that entry
    // alone; only an id prefix needs them all.
    Optional<String> exact = asName(reference).map(names()::get)
        .or(() -> Optional.of(reference).filter(r -> r.matches("sha256:[0-9a-f]{64}")));
    if (exact.isPresent()) {
      return read(dirOf(exact.get()), namesById());
    }
    String hex = reference.startsWith("sha256:") ? reference.substring(7) : reference;
    if (!hex.matches("[0-9a-f]{3,64}")) {
      return Optional.empty();
    }
    List<T> matching = list().stream().filter(i -> i.id().substring(7).startsWith(hex)).toList();
    if (matching.size() > 1) {
      throw new IgnisException(ErrorCode.INVALID_ARGUMENT, kind + " id prefix '" + reference + "' matches "
          + matching.size() + " " + kind + "s (" + String.join(", ", matching.stream().map(Entry::shortId).toList())
          + "); give more of it");
    }
    return matching.stream().findFirst();
  }

  private IgnisException missing(String reference) {
    return new IgnisException(ErrorCode.NOT_FOUND, "no " + kind + " '" + reference + "'; 'runtime " + kind
        + " ls' lists them, 'runtime " + kind + " import' adds one");
  }

  /**
   * Adds the entry made in {@code work} with its description, unless one of that id is stored
   * already, and gives it the names (taken from any entry that had them).
   */
  public T add(String id, Path work, List<String> wantedNames, ObjectNode description) {
    try (FileLock lock = lock()) {
      Path target = dirOf(id);
      if (!has(id)) {
        description.put("id", id).put("importedAt", Instant.now().toString());
        Files.writeString(work.resolve(DESCRIPTION), description.toPrettyString());
        Files.createDirectories(target.getParent());
        deleteTree(target); // a directory without a description is no entry (a crash while it was deleted)
        Files.move(work, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      }
      Map<String, String> names = names();
      wantedNames.forEach(name -> names.put(nameRule.apply(name), id));
      writeNames(names);
      return read(target, namesById()).orElseThrow(() -> missing(id));
    } catch (IOException e) {
      throw new IgnisException(ErrorCode.IO_FAILURE, "cannot store " + kind + " " + id + " in " + dir + ": "
          + e.getMessage(), e);
    }
  }

  /** Whether an entry of that id is stored. */
  public boolean has(String id) {
    Path entry = dirOf(id);
    return Files.isRegularFile(entry.resolve(DESCRIPTION))
        || legacyDescription != null && Files.isRegularFile(entry.resolve(legacyDescription));
  }

  /**
   * Removes a name; the entry goes with its last name, or at once when given by id. {@code
   * inUse} names the VMs using it: removal is refused then.
   */
  public List<String> remove(String reference, Function<T, List<String>> inUse) {
    try (FileLock lock = lock()) {
      T entry = find(reference);
      Map<String, String> names = names();
      Optional<String> name = asName(reference).filter(n -> entry.id().equals(names.get(n)));
      boolean byName = name.isPresent();
      List<String> removed = new ArrayList<>();
      if (byName) {
        names.remove(name.get());
        removed.add("untagged " + name.get());
      }
      boolean lastName = names.values().stream().noneMatch(entry.id()::equals);
      if (!byName || lastName) {
        List<String> users = inUse.apply(entry);
        if (!users.isEmpty()) {
          throw new IgnisException(ErrorCode.INVALID_STATE, kind + " " + reference + " is used by VM "
              + String.join(", ", users) + "; remove " + (users.size() > 1 ? "them" : "it") + " first");
        }
        names.values().removeIf(entry.id()::equals);
        writeNames(names);
        deleteTree(dirOf(entry.id()));
        removed.add("deleted " + entry.id());
      } else {
        writeNames(names);
      }
      return removed;
    } catch (IOException e) {
      throw new IgnisException(ErrorCode.IO_FAILURE, "cannot remove " + kind + " " + reference + ": " + e.getMessage(),
          e);
    }
  }

  /**
   * A new work directory for an import, locked by the returned lock until the import ends;
   * {@link #removeLeftovers} removes it once nobody holds that lock (a crash or kill).
   */
  public WorkDir newWorkDir() {
    try (FileLock store = lock()) {
      Path work = Files.createTempDirectory(dir, "tmp-");
      return new WorkDir(work, FileLock.acquire(work.resolve("import.lock"), Duration.ofSeconds(1),
          "the import in " + work));
    } catch (IOException e) {
      throw new IgnisException(ErrorCode.IO_FAILURE, "cannot make a work directory in " + dir + ": " + e.getMessage(),
          e);
    }
  }

  /** An import's work directory and the lock that marks it as running. */
  public record WorkDir(Path dir, FileLock lock) implements AutoCloseable {
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
          removed.add("removed " + work + " (an interrupted " + kind + " import)");
        }
      }
    } catch (IOException e) {
      throw new IgnisException(ErrorCode.IO_FAILURE, "cannot clean " + dir + ": " + e.getMessage(), e);
    }
    return removed;
  }

  private Optional<T> read(Path entryDir, Map<String, List<String>> names) {
    try {
      Path description = entryDir.resolve(DESCRIPTION);
      if (!Files.isRegularFile(description) && legacyDescription != null) {
        description = entryDir.resolve(legacyDescription);
      }
      JsonNode json = JSON.readTree(description.toFile());
      return Optional.of(reader.read(entryDir, json, names.getOrDefault(json.path("id").asText(), List.of())));
    } catch (IOException | RuntimeException e) {
      return Optional.empty(); // not an entry (yet): skipped
    }
  }

  private Path dirOf(String id) {
    return dir.resolve("sha256").resolve(id.substring("sha256:".length()));
  }

  private FileLock lock() throws IOException {
    Files.createDirectories(dir);
    return FileLock.acquire(dir.resolve("store.lock"), LOCK_WAIT, "the " + kind + " store");
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
  private Optional<String> asName(String reference) {
    if (reference.startsWith("sha256:")) {
      return Optional.empty();
    }
    try {
      return Optional.of(nameRule.apply(reference));
    } catch (IgnisException notAName) {
      return Optional.empty();
    }
  }

  /** Deletes a file or a tree, if it exists; symlinks are deleted, not followed. */
  public static void deleteTree(Path path) throws IOException {
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
