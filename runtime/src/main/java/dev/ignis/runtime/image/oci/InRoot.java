package dev.ignis.runtime.image.oci;

import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Paths inside an image's root directory as the image sees them: symlinks on the way are
 * followed as if the root were {@code /} (an absolute target starts again at the root, {@code
 * ..} stops there), so no member of a layer — {@code etc -> /etc} then {@code etc/passwd}, or
 * {@code ../../x} — ever reaches a file of the host. What chroot gives a container runtime's
 * unpacker, without a chroot.
 */
final class InRoot {

  private static final int MAX_LINKS = 40; // as the kernel's ELOOP limit

  private final Path root;

  InRoot(Path root) {
    this.root = root;
  }

  Path root() {
    return root;
  }

  /** A member's name as clean components: no empty, "." or leading "/" parts; ".." refused. */
  static List<String> components(String name) {
    List<String> parts = new ArrayList<>();
    for (String part : name.split("/")) {
      if (part.isEmpty() || part.equals(".")) {
        continue;
      }
      if (part.equals("..")) {
        throw new IgnisException(ErrorCode.INVALID_ARGUMENT, "layer member '" + name + "' names '..': refused, it"
            + " could reach outside the image");
      }
      parts.add(part);
    }
    return parts;
  }

  /**
   * The host path of a member: its parent directories resolved in the root (symlinks followed
   * within it), its last component not followed. Empty components: the root itself.
   */
  Path member(List<String> parts) {
    if (parts.isEmpty()) {
      return root;
    }
    return resolve(parts.subList(0, parts.size() - 1)).resolve(parts.get(parts.size() - 1));
  }

  /** The host path of a path inside the image, every symlink on it followed within the root. */
  Path resolve(List<String> parts) {
    Deque<String> todo = new ArrayDeque<>(parts);
    Path current = root;
    int links = 0;
    while (!todo.isEmpty()) {
      String part = todo.pollFirst();
      if (part.isEmpty() || part.equals(".")) {
        continue;
      }
      if (part.equals("..")) {
        current = current.equals(root) ? root : current.getParent();
        continue;
      }
      Path next = current.resolve(part);
      if (Files.isSymbolicLink(next)) {
        if (++links > MAX_LINKS) {
          throw new IgnisException(ErrorCode.INVALID_ARGUMENT, "too many symlinks on the way to /"
              + String.join("/", parts) + " in the image");
        }
        String target;
        try {
          target = Files.readSymbolicLink(next).toString();
        } catch (IOException e) {
          throw new IgnisException(ErrorCode.IO_FAILURE, "cannot read symlink " + next + ": " + e.getMessage(), e);
        }
        List<String> rest = new ArrayList<>(List.of(target.split("/")));
        rest.addAll(todo);
        todo = new ArrayDeque<>(rest);
        if (target.startsWith("/")) {
          current = root;
        }
        continue;
      }
      current = next;
    }
    return current;
  }

  /** Whether the path exists, without following a last symlink. */
  static boolean exists(Path path) {
    return Files.exists(path, LinkOption.NOFOLLOW_LINKS);
  }
}
