package dev.ignis.runtime.vm;

import com.fasterxml.jackson.core.JacksonException;
import dev.ignis.runtime.format.Mappers;
import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * VM records on disk: {@code <vms>/<id>/vm.json}, written atomically (temp file, fsync,
 * rename, fsync of the directory), with one lock file per VM and one for the whole store.
 *
 * <p>Thread-safe; concurrent processes coordinate through the locks.
 */
public final class VmStore {

  private static final String RECORD = "vm.json";
  private static final String LOCK = "lock";
  private static final Duration LOCK_WAIT = Duration.ofSeconds(30);
  private static final Duration STORE_LOCK_WAIT = Duration.ofMinutes(2);

  private final Path dir;

  public VmStore(Path vmsDir) {
    this.dir = vmsDir;
  }

  /**
   * What {@link #list()} read: the VMs, one line per record it could not read, and the ids
   * (directory names) of those records: VMs that exist but must be left alone.
   */
  public record Listing(List<Vm> vms, List<String> problems, List<String> unreadableIds) {
    public Listing {
      vms = List.copyOf(vms);
      problems = List.copyOf(problems);
      unreadableIds = List.copyOf(unreadableIds);
    }
  }

  /** A record that exists but cannot be read. */
  private record Unreadable(String id, String problem) {}

  /** Reads every record, oldest first; an unreadable record is reported, not fatal. */
  public Listing list() {
    try {
      if (!Files.readAttributes(dir, java.nio.file.attribute.BasicFileAttributes.class).isDirectory()) {
        return new Listing(List.of(), List.of(), List.of());
      }
    } catch (NoSuchFileException e) {
      return new Listing(List.of(), List.of(), List.of());
    } catch (IOException e) { // not an empty list: a user without access would take it for "no VMs"
      throw new IgnisException(ErrorCode.IO_FAILURE, "cannot read the VM records in " + dir + ": " + e.getMessage()
          + denied(e));
    }
    List<Path> records = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, Files::isDirectory)) {
      entries.forEach(vmDir -> records.add(vmDir.resolve(RECORD)));
    } catch (IOException e) {
      throw new IgnisException(ErrorCode.IO_FAILURE, "cannot list VM records in " + dir + ": " + e.getMessage(), e);
    }
    // Parsed in parallel: on a cold JVM each record costs about half a millisecond.
    List<Object> read = records.parallelStream().map(VmStore::readOrProblem).toList();
    List<Vm> vms = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    List<String> unreadable = new ArrayList<>();
    for (Object result : read) {
      if (result instanceof Vm vm) {
        vms.add(vm);
      } else if (result instanceof Unreadable bad) {
        problems.add(bad.problem() + "; fix it, or remove the VM with 'runtime rm -f " + bad.id() + "'");
        unreadable.add(bad.id());
      }
    }
    vms.sort(Comparator.comparing(Vm::createdAt).thenComparing(Vm::id));
    return new Listing(vms, problems, unreadable); // problems and unreadable ids in the same order
  }

  /** The record, an {@link Unreadable}, or null for a directory without record (an unfinished create or rm). */
  private static Object readOrProblem(Path record) {
    String id = record.getParent().getFileName().toString();
    try {
      return read(record);
    } catch (NoSuchFileException e) {
      return null;
    } catch (IgnisException e) {
      return new Unreadable(id, e.getMessage());
    } catch (IOException e) {
      return new Unreadable(id, "cannot read VM record " + record + ": " + e.getMessage() + denied(e));
    }
  }

  /**
   * The VM with this exact name or id; else the one VM whose id or name starts with it (any
   * length, as Ignite matches both). A prefix of several VMs is refused with their names.
   */
  public Vm find(String nameOrId) {
    List<Vm> vms = list().vms();
    Optional<Vm> exact = vms.stream()
        .filter(vm -> vm.name().equals(nameOrId) || vm.id().equals(nameOrId))
        .findFirst();
    if (exact.isPresent()) {
      return exact.get();
    }
    List<Vm> byPrefix = nameOrId.isEmpty() ? List.of()
        : vms.stream().filter(vm -> vm.id().startsWith(nameOrId) || vm.name().startsWith(nameOrId)).toList();
    if (byPrefix.size() == 1) {
      return byPrefix.get(0);
    }
    if (byPrefix.size() > 1) {
      throw new IgnisException(ErrorCode.INVALID_ARGUMENT, "'" + nameOrId + "' is the start of " + byPrefix.size()
          + " VMs (" + String.join(", ", byPrefix.stream().map(vm -> vm.name() + " " + vm.id()).sorted().toList())
          + "); give more of the name or id");
    }
    Listing listing = list();
    for (int i = 0; i < listing.unreadableIds().size(); i++) {
      String id = listing.unreadableIds().get(i);
      if (id.equals(nameOrId) || nameOrId.length() >= 3 && id.startsWith(nameOrId)) {
        throw new IgnisException(ErrorCode.DECODING_FAILURE, listing.problems().get(i));
      }
    }
    throw new IgnisException(ErrorCode.NOT_FOUND, "no VM named '" + nameOrId + "'; see 'runtime ps -a'");
  }

  /** The id of the unreadable record that {@code nameOrId} names exactly or by a unique prefix, if any. */
  public Optional<String> unreadableId(String nameOrId) {
    List<String> matches = list().unreadableIds().stream()
        .filter(id -> id.equals(nameOrId) || nameOrId.length() >= 3 && id.startsWith(nameOrId)).toList();
    return matches.size() == 1 ? Optional.of(matches.get(0)) : Optional.empty();
  }


  /** What to do about a refused access: VM records are root's. */
  private static String denied(IOException e) {
    return e instanceof java.nio.file.AccessDeniedException
        ? " (permission denied: run as root, or through ignisd as a member of its daemon.group)" : "";
  }

  /** Reads one VM by id again (after taking its lock). */
  public Vm load(String id) {
    Path record = dir.resolve(id).resolve(RECORD);
    try {
      return read(record);
    } catch (NoSuchFileException e) {
      throw new IgnisException(ErrorCode.NOT_FOUND, "VM " + id + " no longer exists");
    } catch (IOException e) {
      throw new IgnisException(ErrorCode.IO_FAILURE, "cannot read VM record " + record + ": " + e.getMessage()
          + denied(e), e);
    }
  }

  /**
   * Writes the record atomically. A cancelled command (its thread interrupted) still records
   * what it did: file channels give up on an interrupt, so the interrupt waits until the
   * record is written.
   */
  public void save(Vm vm) {
    // A cancel (the command's thread interrupted) arriving mid-write would close the file's
    // channel under it and leave a temp file, or a written record reported as failed: the
    // write runs to its end on a thread of its own, and the interrupt stays for the next step.
    dev.ignis.runtime.exec.Uninterruptibly.call("save-" + vm.id(), () -> {
      write(vm);
      return null;
    });
  }

  private void write(Vm vm) {
    Path vmDir = dir.resolve(vm.id());
    Path temp = null;
    try {
      Files.createDirectories(vmDir);
      temp = Files.createTempFile(vmDir, RECORD, ".tmp");
      try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
        channel.write(java.nio.ByteBuffer.wrap(Mappers.json().writeValueAsBytes(vm)));
        channel.force(true);
      }
      move(temp, vmDir.resolve(RECORD));
      syncDirectory(vmDir);
    } catch (IOException e) {
      if (temp != null) {
        try {
          Files.deleteIfExists(temp); // no half-written file stays beside the record
        } catch (IOException ignored) {
          // the error below says what went wrong
        }
      }
      throw new IgnisException(ErrorCode.IO_FAILURE, "cannot write VM record of " + vm.name() + " in " + vmDir
          + ": " + e.getMessage(), e);
    }
  }

  /** The directory of the VM of that id (its record, console, disk...). */
  public Path vmDir(String id) {
    return dir.resolve(id);
  }

  /**
   * Removes the record and its directory; the record goes first so a crash leaves no VM. A
   * file made meanwhile (another command opening the VM's lock to find it gone) is removed
   * on a second pass.
   */
  public void delete(String id) {
    Path vmDir = dir.resolve(id);
    for (int pass = 1; ; pass++) {
      try {
        Files.deleteIfExists(vmDir.resolve(RECORD));
        try (Stream<Path> files = Files.walk(vmDir)) {
          for (Path path : files.sorted(Comparator.reverseOrder()).toList()) {
            Files.deleteIfExists(path);
          }
        }
        return;
      } catch (NoSuchFileException e) {
        return; // already gone
      } catch (java.nio.file.DirectoryNotEmptyException e) {
        if (pass == 3) {
          throw new IgnisException(ErrorCode.IO_FAILURE, "cannot remove " + vmDir + ": something keeps writing"
              + " into it (" + e.getMessage() + ")", e);
        }
      } catch (IOException e) {
        throw new IgnisException(ErrorCode.IO_FAILURE, "cannot remove " + vmDir + ": " + e.getMessage(), e);
      }
    }
  }

  /** The directories under the store that hold no record (left by an interrupted create or rm). */
  public List<Path> leftoverDirectories() {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.filter(Files::isDirectory).filter(d -> !Files.exists(d.resolve(RECORD))).toList();
    } catch (IOException e) {
      throw new IgnisException(ErrorCode.IO_FAILURE, "cannot list " + dir + ": " + e.getMessage(), e);
    }
  }

  /**
   * Locks one VM against other commands; {@link ErrorCode#NOT_FOUND} once another command
   * removed it (its directory is never made again for the lock).
   */
  public FileLock lock(Vm vm) {
    Path vmDir = dir.resolve(vm.id());
    if (!Files.isDirectory(vmDir)) {
      throw removed(vm);
    }
    try {
      return FileLock.acquire(vmDir.resolve(LOCK), LOCK_WAIT, "VM " + vm.name());
    } catch (IgnisException e) {
      if (e.getCause() instanceof NoSuchFileException) {
        throw removed(vm);
      }
      throw e;
    }
  }

  private static IgnisException removed(Vm vm) {
    return new IgnisException(ErrorCode.NOT_FOUND, "VM '" + vm.name() + "' no longer exists (another command removed it)");
  }

  /** True if no command holds the VM's lock now (so a transitional status was interrupted). */
  public boolean isIdle(Vm vm) {
    return FileLock.isFree(dir.resolve(vm.id()).resolve(LOCK));
  }

  /**
   * Locks the whole store, for changes that must see every VM (unique names). Held only for a
   * moment, yet many commands at once each in a JVM of their own (IGNIS_DAEMON=off) on a busy
   * host queue for it longer than for one VM's lock: 16 such runs at once waited past 30 s.
   */
  public FileLock lockAll() {
    createDir();
    return FileLock.acquire(dir.resolve(".lock"), STORE_LOCK_WAIT, "the VM store " + dir);
  }

  private void createDir() {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new IgnisException(ErrorCode.IO_FAILURE, "cannot create the state dir " + dir + ": " + e.getMessage()
          + "; pass --state-dir to use another", e);
    }
  }

  private static Vm read(Path record) throws IOException {
    byte[] bytes = Files.readAllBytes(record);
    try {
      return Mappers.json().readValue(bytes, Vm.class);
    } catch (JacksonException | IgnisException e) {
      String why = e instanceof JacksonException je ? je.getOriginalMessage() : e.getMessage();
      throw new IgnisException(ErrorCode.DECODING_FAILURE,
          "VM record " + record + " is corrupt (" + firstLine(why) + ")");
    }
  }

  private static String firstLine(String text) {
    return text == null ? "unreadable" : text.lines().findFirst().orElse("unreadable");
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private static void syncDirectory(Path directory) {
    try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException e) {
      // Some file systems cannot fsync a directory; the rename is still atomic.
    }
  }
}
