package dev.ignis.runtime.image.oci;

import dev.ignis.spi.CommandRunner;
import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.zip.GZIPInputStream;

/**
 * {@code image import SOURCE}: an OCI image layout directory, an OCI or {@code docker save}
 * archive, or {@code docker://NAME[:TAG]} from the local Docker Engine, made into an ext4 root
 * file system in the store ({@link OciImages}). Layers are applied in order ({@link
 * LayerApplier}), each checked against the {@code diff_ids} of the image's configuration; gzip
 * layers are read in Java, zstd ones through the {@code zstd} program. No registry is ever
 * contacted.
 */
public final class ImageImporter {

  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ImageImporter.class);
  private static final String DOCKER = "docker://";

  private final OciImages images;
  private final CommandRunner commands;
  private final DockerEngine engine;

  public ImageImporter(OciImages images, CommandRunner commands, DockerEngine engine) {
    this.images = images;
    this.commands = commands;
    this.engine = engine;
  }

  /**
   * What an import did.
   *
   * @param image the image
   * @param imported false if it was there already (then only named)
   * @param millis how long the import took
   */
  public record Result(OciImages.Image image, boolean imported, long millis) {}

  /** Imports {@code source} (a path already resolved against the caller's directory, or docker://...), named as given or as the source names it. */
  public Result importImage(String source, Optional<String> name) {
    name.ifPresent(OciImages::normalized); // a bad name is refused before any work
    long start = System.nanoTime();
    images.removeLeftovers();
    dev.ignis.runtime.image.NamedStore.WorkDir running = images.newWorkDir();
    Path work = running.dir();
    try (running) {
      Path unpacked = unpack(source, work);
      UnpackedImage image = UnpackedImage.read(unpacked, source);
      List<String> names = name.map(List::of).orElse(image.names().isEmpty() && source.startsWith(DOCKER)
          ? List.of(source.substring(DOCKER.length())) : image.names());
      if (images.has(image.id())) {
        return new Result(images.add(image.id(), work, names, source, "", false), false, (System.nanoTime() - start) / 1_000_000);
      }
      Path result = Files.createDirectories(work.resolve("image"));
      LayerApplier applier = new LayerApplier(Files.createDirectories(work.resolve("rootfs")));
      List<String> diffIds = new ArrayList<>();
      image.config().path("rootfs").path("diff_ids").forEach(d -> diffIds.add(d.asText()));
      if (!diffIds.isEmpty() && diffIds.size() != image.layers().size()) {
        throw new IgnisException(ErrorCode.DECODING_FAILURE, source + ": its configuration names " + diffIds.size()
            + " layers, its manifest " + image.layers().size());
      }
      for (int i = 0; i < image.layers().size(); i++) {
        applyLayer(applier, image.layers().get(i), diffIds.isEmpty() ? Optional.empty() : Optional.of(diffIds.get(i)),
            source + " layer " + (i + 1));
      }
      String init = initOf(work.resolve("rootfs"));
      boolean sshServer = isExecutable(work.resolve("rootfs"), "usr/sbin/sshd");
      new RootfsWriter(commands).write(work.resolve("rootfs"), applier.specials(), result.resolve("rootfs.ext4"), work);
      Files.writeString(result.resolve("config.json"), image.config().toString());
      OciImages.Image stored = images.add(image.id(), result, names, source, init, sshServer);
      long millis = (System.nanoTime() - start) / 1_000_000;
      log.info("imported {} as {} in {} ms ({} bytes)", source, stored.id(), millis, stored.sizeBytes());
      return new Result(stored, true, millis);
    } catch (IOException e) {
      throw new IgnisException(ErrorCode.IO_FAILURE, "cannot import " + source + ": " + e.getMessage(), e);
    } finally {
      try {
        dev.ignis.runtime.image.NamedStore.deleteTree(work);
      } catch (IOException e) {
        log.warn("cannot remove {}: {}; 'runtime gc' removes it", work, e.getMessage());
      }
    }
  }

  /** {@code /sbin/init} if the image has one (an executable file, through symlinks inside the image), else empty. */
  static String initOf(Path rootfs) {
    return isExecutable(rootfs, "sbin/init") ? "/sbin/init" : "";
  }

  /** Whether the image has an executable file at the path (through symlinks inside the image). */
  static boolean isExecutable(Path rootfs, String path) {
    Path file = new InRoot(rootfs).resolve(InRoot.components(path));
    return Files.isRegularFile(file, java.nio.file.LinkOption.NOFOLLOW_LINKS) && Files.isExecutable(file);
  }

  /** The source as a directory: itself, or an archive (from a file or the Docker Engine) unpacked into {@code work}. */
  private Path unpack(String source, Path work) throws IOException {
    if (source.startsWith(DOCKER)) {
      Path archive = work.resolve("docker-save.tar");
      try (OutputStream out = Files.newOutputStream(archive)) {
        engine.save(source.substring(DOCKER.length()), out);
      }
      return unpackArchive(archive, source, work);
    }
    Path path = Path.of(source);
    if (Files.isDirectory(path)) {
      return path;
    }
    if (Files.isRegularFile(path)) {
      return unpackArchive(path, source, work);
    }
    throw new IgnisException(ErrorCode.NOT_FOUND, "no file or directory " + source + "; import an OCI image layout"
        + " directory, an OCI or 'docker save' archive, or docker://NAME:TAG from the local Docker Engine (Ignis pulls"
        + " from no registry: none is reachable from this host)");
  }

  /**
   * The files of an archive, into a directory of {@code work}. A symlink (docker save links a
   * layer it holds twice) becomes a hard link to its target when that is a file of the archive;
   * others are dropped, so nothing read later can lead out of it.
   */
  private Path unpackArchive(Path archive, String source, Path work) throws IOException {
    Path dir = Files.createDirectories(work.resolve("source"));
    java.util.Map<Path, Path> links = new java.util.LinkedHashMap<>();
    try (InputStream in = decompressed(new BufferedInputStream(Files.newInputStream(archive), 1 << 16), source)) {
      TarReader reader = new TarReader(in, source);
      for (Optional<TarEntry> next = reader.next(); next.isPresent(); next = reader.next()) {
        TarEntry entry = next.get();
        List<String> parts = InRoot.components(entry.name());
        if (parts.isEmpty()) {
          continue;
        }
        Path target = dir.resolve(String.join("/", parts));
        if (entry.type() == TarEntry.Type.SYMLINK || entry.type() == TarEntry.Type.HARDLINK) {
          Path linked = (entry.type() == TarEntry.Type.SYMLINK ? target.getParent() : dir)
              .resolve(entry.linkName()).normalize();
          links.put(target, linked);
        }
        if (entry.type() != TarEntry.Type.FILE) {
          continue;
        }
        Files.createDirectories(target.getParent());
        try (InputStream content = reader.content()) {
          Files.copy(content, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
    for (var link : links.entrySet()) {
      if (link.getValue().startsWith(dir) && Files.isRegularFile(link.getValue(), java.nio.file.LinkOption.NOFOLLOW_LINKS)
          && !Files.exists(link.getKey())) {
        Files.createDirectories(link.getKey().getParent());
        Files.createLink(link.getKey(), link.getValue());
      }
    }
    return dir;
  }

  private void applyLayer(LayerApplier applier, Path layer, Optional<String> diffId, String what) throws IOException {
    MessageDigest digest = sha256();
    try (InputStream raw = new BufferedInputStream(Files.newInputStream(layer), 1 << 16);
        InputStream plain = new DigestInputStream(decompressed(raw, what), digest)) {
      applier.apply(plain, what);
      plain.transferTo(OutputStream.nullOutputStream()); // the end blocks count for the digest too
    }
    String actual = "sha256:" + HexFormat.of().formatHex(digest.digest());
    if (diffId.isPresent() && !diffId.get().equals(actual)) {
      throw new IgnisException(ErrorCode.DECODING_FAILURE, what + " does not match the diff_id of the image's"
          + " configuration (" + diffId.get() + "; damaged or altered)");
    }
  }

  /** The stream uncompressed, by its first bytes: gzip, zstd (through the zstd program) or plain tar. */
  private InputStream decompressed(InputStream in, String what) throws IOException {
    in.mark(4);
    byte[] magic = in.readNBytes(4);
    in.reset();
    if (magic.length >= 2 && (magic[0] & 0xff) == 0x1f && (magic[1] & 0xff) == 0x8b) {
      return new GZIPInputStream(in, 1 << 16);
    }
    if (magic.length == 4 && (magic[0] & 0xff) == 0x28 && (magic[1] & 0xff) == 0xb5 && (magic[2] & 0xff) == 0x2f
        && (magic[3] & 0xff) == 0xfd) {
      return dev.ignis.runtime.image.ProgramFilter.run(in, what + " (zstd-compressed)", "zstd", "zstd", "-d", "-c", "-q");
    }
    return in;
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

}
