package dev.ignis.runtime.image.kernel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ignis.runtime.image.NamedStore;
import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

/**
 * The imported kernels, in a {@link NamedStore} under the state dir ({@code kernels/}): a
 * kernel's directory holds its {@code vmlinux} and, for a kernel whose drivers are modules (a
 * Debian package's), {@code modules.cpio}: the modules a guest needs, appended to the initrd at
 * boot. Names are the kernel's release ({@code 6.1.0-41-amd64}) unless the user gives one.
 */
public final class Kernels {

  /** What {@code --kernel} names for the default image's kernel. */
  public static final String DEFAULT = "default";

  private final NamedStore<Kernel> store;

  public Kernels(Path stateDir) {
    this.store = new NamedStore<>(stateDir.resolve("kernels"), "kernel", null, Kernels::normalized, Kernels::read);
  }

  /**
   * One imported kernel.
   *
   * @param id the digest of its vmlinux and modules
   * @param names its names
   * @param source the file it was imported from
   * @param format what that file was: {@code vmlinux}, {@code bzImage} or {@code deb}
   * @param importedAt when
   * @param release its release ({@code uname -r}), or empty if it names none
   * @param sizeBytes its vmlinux's size
   * @param vmlinux the kernel QEMU boots
   * @param modules the modules' archive, if it has modules
   * @param moduleNames the modules in that archive, in load order
   */
  public record Kernel(String id, List<String> names, String source, String format, Instant importedAt, String release,
      long sizeBytes, Path vmlinux, Optional<Path> modules, List<String> moduleNames) implements NamedStore.Entry {}

  private static Kernel read(Path dir, JsonNode meta, List<String> names) {
    List<String> modules = new ArrayList<>();
    meta.path("modules").forEach(m -> modules.add(m.asText()));
    Path archive = dir.resolve(KernelImporter.MODULES);
    if (!Files.isRegularFile(dir.resolve(KernelImporter.VMLINUX))) {
      throw new IllegalStateException("no vmlinux in " + dir);
    }
    return new Kernel(meta.path("id").asText(), names, meta.path("source").asText(), meta.path("format").asText(),
        Instant.parse(meta.path("importedAt").asText()), meta.path("release").asText(""), meta.path("sizeBytes").asLong(),
        dir.resolve(KernelImporter.VMLINUX), Files.isRegularFile(archive) ? Optional.of(archive) : Optional.empty(),
        List.copyOf(modules));
  }

  /** Every kernel, newest first. */
  public List<Kernel> list() {
    return store.list();
  }

  /** The kernel a name, an id or a unique id prefix names. */
  public Kernel find(String reference) {
    if (reference.equals(DEFAULT)) {
      throw new IgnisException(ErrorCode.INVALID_ARGUMENT, "'" + DEFAULT + "' is the default image's kernel, not an"
          + " imported one");
    }
    return store.find(reference);
  }

  /** The same, or empty when nothing has that name or id. */
  public Optional<Kernel> findIfAny(String reference) {
    return reference.equals(DEFAULT) ? Optional.empty() : store.findIfAny(reference);
  }

  Kernel add(String id, Path work, List<String> names, ObjectNode description) {
    return store.add(id, work, names, description);
  }

  boolean has(String id) {
    return store.has(id);
  }

  NamedStore.WorkDir newWorkDir() {
    return store.newWorkDir();
  }

  /** Removes a name; the kernel goes with its last name, or at once when given by id; refused while VMs use it. */
  public List<String> remove(String reference, Function<Kernel, List<String>> inUse) {
    find(reference); // "default" is refused in words of its own
    return store.remove(reference, inUse);
  }

  /** Removes the work directories of imports that are not running (a crash or kill left them). */
  public List<String> removeLeftovers() {
    return store.removeLeftovers();
  }

  /** A kernel's name as stored (lower case); one that is not valid is refused. */
  public static String normalized(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    if (!lower.matches("[a-z0-9][a-z0-9._+-]{0,127}") || lower.equals(DEFAULT) || lower.matches("[0-9a-f]{64}")) {
      throw new IgnisException(ErrorCode.INVALID_ARGUMENT, "kernel name '" + name + "' is not valid; use letters,"
          + " digits, '.', '_', '+' and '-', such as 6.1.0-41-amd64 (not '" + DEFAULT + "', which is the default"
          + " image's)");
    }
    return lower;
  }
}
