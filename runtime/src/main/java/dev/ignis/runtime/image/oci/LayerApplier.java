package dev.ignis.runtime.image.oci;

import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Applies image layers, in order, to a root directory as the OCI image spec says: members
 * replace what lower layers had at their path (a directory over a directory merges), {@code
 * .wh.NAME} removes NAME of lower layers and {@code .wh..wh..opq} empties its directory of them;
 * owners, modes (with set-uid) and times are kept. Paths stay inside the root ({@link InRoot}).
 *
 * <p>What a plain directory cannot hold as the image wants it — device nodes, FIFOs and extended
 * attributes (of any namespace, such as {@code security.capability}) — is collected as {@link
 * #specials} for the file system writer to put into the image itself, so the root directory
 * needs no special file system and the host never gets a device node of an image.
 */
final class LayerApplier {

  private final InRoot root;
  /** Per in-image path ("/dev/null"): a node to make, or extended attributes to set, in the written image. */
  private final Map<String, Special> specials = new LinkedHashMap<>();

  LayerApplier(Path rootDir) {
    this.root = new InRoot(rootDir);
  }

  /**
   * A device node, FIFO or extended attributes of one path, to be put into the image.
   *
   * @param node for a node: its type ('c', 'b' or 'p'), else 0
   * @param major device major
   * @param minor device minor
   * @param mode permission bits
   * @param uid owner
   * @param gid group
   * @param xattrs extended attributes
   */
  record Special(char node, int major, int minor, int mode, long uid, long gid, Map<String, byte[]> xattrs) {}

  /** The nodes and extended attributes collected so far, by in-image path. */
  Map<String, Special> specials() {
    return specials;
  }

  /** Applies one layer (an uncompressed tar stream). */
  void apply(InputStream layer, String source) throws IOException {
    TarReader reader = new TarReader(layer, source);
    Set<Path> ofThisLayer = new HashSet<>();
    List<Map.Entry<Path, FileTime>> directoryTimes = new ArrayList<>();
    for (Optional<TarEntry> next = reader.next(); next.isPresent(); next = reader.next()) {
      TarEntry entry = next.get();
      List<String> parts = InRoot.components(entry.name());
      String base = parts.isEmpty() ? "" : parts.get(parts.size() - 1);
      if (base.equals(".wh..wh..opq")) {
        Path dir = root.resolve(parts.subList(0, parts.size() - 1));
        emptyOfLowerLayers(dir, ofThisLayer);
        continue;
      }
      if (base.startsWith(".wh.")) {
        List<String> hidden = new ArrayList<>(parts.subList(0, parts.size() - 1));
        hidden.add(base.substring(".wh.".length()));
        Path target = root.member(hidden);
        if (!ofThisLayer.contains(target)) {
          delete(target);
        }
        continue;
      }
      if (parts.isEmpty() && entry.type() != TarEntry.Type.DIRECTORY) {
        throw new IgnisException(ErrorCode.INVALID_ARGUMENT, "layer member '" + entry.name() + "' would replace the"
            + " image's root directory with a " + entry.type().name().toLowerCase(java.util.Locale.ROOT));
      }
      Path target = root.member(parts);
      makeParents(target);
      place(entry, target, reader);
      ofThisLayer.add(target);
      if (entry.type() == TarEntry.Type.DIRECTORY) {
        directoryTimes.add(Map.entry(target, FileTime.from(entry.mtime())));
      }
    }
    for (int i = directoryTimes.size() - 1; i >= 0; i--) { // children changed them meanwhile
      setTime(directoryTimes.get(i).getKey(), directoryTimes.get(i).getValue());
    }
  }

  private void place(TarEntry entry, Path target, TarReader reader) throws IOException {
    boolean isRoot = target.equals(root.root());
    if (InRoot.exists(target) && !(entry.type() == TarEntry.Type.DIRECTORY && Files.isDirectory(target,
        LinkOption.NOFOLLOW_LINKS))) {
      delete(target);
    }
    String inImage = inImage(target);
    specials.remove(inImage);
    switch (entry.type()) {
      case DIRECTORY -> {
        if (!isRoot && !InRoot.exists(target)) {
          Files.createDirectory(target);
        }
      }
      case FILE -> {
        try (InputStream content = reader.content()) {
          Files.copy(content, target, StandardCopyOption.REPLACE_EXISTING);
        }
      }
      case SYMLINK -> Files.createSymbolicLink(target, Path.of(entry.linkName()));
      case HARDLINK -> {
        Path linked = root.member(InRoot.components(entry.linkName()));
        if (!Files.isRegularFile(linked, LinkOption.NOFOLLOW_LINKS)) {
          throw new IgnisException(ErrorCode.INVALID_ARGUMENT, "layer member " + entry.name() + " is a hard link to "
              + entry.linkName() + ", which is not a file of the image");
        }
        Files.createLink(target, linked);
        return; // shares the linked file's owner, mode and attributes
      }
      case CHAR_DEVICE, BLOCK_DEVICE, FIFO -> {
        char node = entry.type() == TarEntry.Type.CHAR_DEVICE ? 'c' : entry.type() == TarEntry.Type.BLOCK_DEVICE ? 'b' : 'p';
        specials.put(inImage, new Special(node, entry.devMajor(), entry.devMinor(), entry.mode(), entry.uid(), entry.gid(),
            entry.xattrs()));
        return;
      }
      default -> throw new IllegalStateException(entry.type().toString());
    }
    Files.setAttribute(target, "unix:uid", (int) entry.uid(), LinkOption.NOFOLLOW_LINKS);
    Files.setAttribute(target, "unix:gid", (int) entry.gid(), LinkOption.NOFOLLOW_LINKS);
    if (entry.type() != TarEntry.Type.SYMLINK) {
      Files.setAttribute(target, "unix:mode", entry.mode()); // after chown, which clears set-uid
    }
    if (!entry.xattrs().isEmpty()) {
      specials.put(inImage, new Special('\0', 0, 0, entry.mode(), entry.uid(), entry.gid(), entry.xattrs()));
    }
    if (entry.type() != TarEntry.Type.DIRECTORY) {
      setTime(target, FileTime.from(entry.mtime()));
    }
  }

  /** The parents of a member that a layer did not list: made as root-owned 0755 directories. */
  private void makeParents(Path target) throws IOException {
    Path parent = target.getParent();
    if (parent != null && !Files.isDirectory(parent, LinkOption.NOFOLLOW_LINKS)) {
      if (InRoot.exists(parent)) {
        delete(parent); // a lower layer's file where this layer has a directory
      }
      makeParents(parent);
      Files.createDirectory(parent);
    }
  }

  private void emptyOfLowerLayers(Path dir, Set<Path> ofThisLayer) throws IOException {
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (var children = Files.list(dir)) {
      for (Path child : children.toList()) {
        if (!ofThisLayer.contains(child)) {
          delete(child);
        }
      }
    }
  }

  /** Removes a path of the image (a directory with everything in it), and what was collected for it. */
  private void delete(Path path) throws IOException {
    String inImage = inImage(path);
    specials.keySet().removeIf(p -> p.equals(inImage) || p.startsWith(inImage + "/"));
    if (!InRoot.exists(path)) {
      return;
    }
    if (!Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
      Files.delete(path);
      return;
    }
    Files.walkFileTree(path, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
        Files.delete(file);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path directory, IOException failure) throws IOException {
        if (failure != null) {
          throw failure;
        }
        try {
          Files.delete(directory);
        } catch (DirectoryNotEmptyException e) {
          throw new IOException("cannot empty " + directory, e);
        }
        return FileVisitResult.CONTINUE;
      }
    });
  }

  private String inImage(Path path) {
    return "/" + root.root().relativize(path).toString();
  }

  private static void setTime(Path path, FileTime time) throws IOException {
    Files.getFileAttributeView(path, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS).setTimes(time, null, null);
  }
}
