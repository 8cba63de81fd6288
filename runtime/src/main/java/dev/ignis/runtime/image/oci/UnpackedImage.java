package dev.ignis.runtime.image.oci;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * One image as a directory holds it, in either layout a source gives: an OCI image layout
 * ({@code oci-layout}, {@code index.json}, {@code blobs/sha256/...}; also what {@code docker
 * save} writes since Docker 25) or the older {@code docker save} layout ({@code manifest.json}
 * naming a config file and layer tars). For an index of several images, the one for
 * linux/amd64; several images of that platform are refused, naming them.
 *
 * @param id the image's id: the digest of its manifest (OCI), or of its config (old docker save)
 * @param config the image configuration (entrypoint, cmd, env, working dir, user, ...)
 * @param layers the layer files, lowest first
 * @param names the names the source gives the image (OCI ref names, docker tags)
 */
record UnpackedImage(String id, JsonNode config, List<Path> layers, List<String> names) {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SHA256 = "sha256:";

  /** Reads the image in {@code dir}; {@code source} names it in messages. */
  static UnpackedImage read(Path dir, String source) {
    try {
      if (Files.isRegularFile(dir.resolve("index.json")) && Files.isRegularFile(dir.resolve("oci-layout"))) {
        return oci(dir, source);
      }
      if (Files.isRegularFile(dir.resolve("manifest.json"))) {
        return dockerSave(dir, source);
      }
    } catch (IOException e) {
      throw new IgnisException(ErrorCode.IO_FAILURE, "cannot read " + source + ": " + e.getMessage(), e);
    }
    throw new IgnisException(ErrorCode.INVALID_ARGUMENT, source + " is neither an OCI image layout (oci-layout and"
        + " index.json) nor a 'docker save' archive (manifest.json)");
  }

  private static UnpackedImage oci(Path dir, String source) throws IOException {
    JsonNode index = JSON.readTree(dir.resolve("index.json").toFile());
    List<JsonNode> candidates = new ArrayList<>();
    List<String> names = new ArrayList<>();
    collectManifests(dir, index, candidates, source, 0);
    if (candidates.isEmpty()) {
      throw new IgnisException(ErrorCode.INVALID_ARGUMENT, source + " holds no image for linux/amd64");
    }
    java.util.Set<String> distinct = new java.util.LinkedHashSet<>();
    candidates.forEach(c -> distinct.add(c.path("digest").asText()));
    if (distinct.size() > 1) {
      List<String> refs = candidates.stream().map(c -> c.path("annotations").path("org.opencontainers.image.ref.name")
          .asText(c.path("digest").asText())).toList();
      throw new IgnisException(ErrorCode.INVALID_ARGUMENT, source + " holds " + distinct.size() + " images ("
          + String.join(", ", refs) + "); import an archive of one image");
    }
    for (JsonNode candidate : candidates) {
      String ref = candidate.path("annotations").path("io.containerd.image.name")
          .asText(candidate.path("annotations").path("org.opencontainers.image.ref.name").asText(""));
      if (!ref.isEmpty() && !names.contains(ref)) {
        names.add(ref);
      }
    }
    String digest = candidates.get(0).path("digest").asText();
    JsonNode manifest = JSON.readTree(blob(dir, digest, source));
    JsonNode config = JSON.readTree(blob(dir, manifest.path("config").path("digest").asText(), source));
    List<Path> layers = new ArrayList<>();
    for (JsonNode layer : manifest.path("layers")) {
      String mediaType = layer.path("mediaType").asText();
      if (mediaType.contains("nondistributable") && !Files.exists(blobPath(dir, layer.path("digest").asText(), source))) {
        throw new IgnisException(ErrorCode.INVALID_ARGUMENT, source + " lacks its non-distributable layer "
            + layer.path("digest").asText() + " (foreign layers are fetched from their URLs, which Ignis does not)");
      }
      layers.add(verified(dir, layer.path("digest").asText(), source));
    }
    return new UnpackedImage(digest, config, layers, names);
  }

  /** The manifests of an index for linux/amd64 (or without platform), nested indexes followed. */
  private static void collectManifests(Path dir, JsonNode index, List<JsonNode> found, String source, int depth)
      throws IOException {
    if (depth > 4) {
      throw new IgnisException(ErrorCode.INVALID_ARGUMENT, source + " nests image indexes too deep");
    }
    for (JsonNode descriptor : index.path("manifests")) {
      JsonNode platform = descriptor.path("platform");
      if (!platform.isMissingNode() && !(platform.path("os").asText("linux").equals("linux")
          && platform.path("architecture").asText("amd64").equals("amd64"))) {
        continue;
      }
      String type = descriptor.path("mediaType").asText();
      if (type.endsWith("image.index.v1+json") || type.endsWith("manifest.list.v2+json")) {
        JsonNode nested = JSON.readTree(blob(dir, descriptor.path("digest").asText(), source));
        List<JsonNode> inner = new ArrayList<>();
        collectManifests(dir, nested, inner, source, depth + 1);
        // Keep the outer descriptor's names on what the inner index gives.
        for (JsonNode manifest : inner) {
          com.fasterxml.jackson.databind.node.ObjectNode copy = manifest.deepCopy();
          if (descriptor.has("annotations")) {
            copy.set("annotations", descriptor.get("annotations"));
          }
          found.add(copy);
        }
      } else if (!descriptor.path("annotations").path("vnd.docker.reference.type").asText().equals("attestation-manifest")) {
        found.add(descriptor);
      }
    }
  }

  private static UnpackedImage dockerSave(Path dir, String source) throws IOException {
    JsonNode manifests = JSON.readTree(dir.resolve("manifest.json").toFile());
    if (!manifests.isArray() || manifests.size() != 1) {
      throw new IgnisException(ErrorCode.INVALID_ARGUMENT, source + " holds " + manifests.size() + " images; save one"
          + " image per archive (docker save NAME:TAG)");
    }
    JsonNode manifest = manifests.get(0);
    Path configFile = inside(dir, manifest.path("Config").asText(), source);
    byte[] configBytes = Files.readAllBytes(configFile);
    List<Path> layers = new ArrayList<>();
    for (JsonNode layer : manifest.path("Layers")) {
      layers.add(inside(dir, layer.asText(), source));
    }
    List<String> names = new ArrayList<>();
    manifest.path("RepoTags").forEach(tag -> names.add(tag.asText()));
    return new UnpackedImage(SHA256 + sha256(configBytes), JSON.readTree(configBytes), layers, names);
  }

  private static byte[] blob(Path dir, String digest, String source) throws IOException {
    return Files.readAllBytes(verified(dir, digest, source));
  }

  /** A blob's file, once its content matched its digest. */
  private static Path verified(Path dir, String digest, String source) throws IOException {
    Path file = blobPath(dir, digest, source);
    if (!Files.isRegularFile(file)) {
      throw new IgnisException(ErrorCode.INVALID_ARGUMENT, source + " lacks blob " + digest);
    }
    try (InputStream in = Files.newInputStream(file)) {
      if (!sha256(in).equals(digest.substring(SHA256.length()))) {
        throw new IgnisException(ErrorCode.DECODING_FAILURE, source + ": blob " + digest + " does not match its digest"
            + " (damaged or altered)");
      }
    }
    return file;
  }

  private static Path blobPath(Path dir, String digest, String source) {
    if (!digest.matches("sha256:[0-9a-f]{64}")) {
      throw new IgnisException(ErrorCode.INVALID_ARGUMENT, source + " names a blob by '" + digest
          + "'; only sha256 digests are supported");
    }
    return dir.resolve("blobs").resolve("sha256").resolve(digest.substring(SHA256.length()));
  }

  /** A file the docker save manifest names, which must lie inside the archive. */
  private static Path inside(Path dir, String name, String source) {
    Path file = dir.resolve(name).normalize();
    if (name.isEmpty() || !file.startsWith(dir) || !Files.isRegularFile(file)) {
      throw new IgnisException(ErrorCode.INVALID_ARGUMENT, source + ": manifest.json names '" + name
          + "', which is not a file of the archive");
    }
    return file;
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static String sha256(InputStream in) throws IOException {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      byte[] buffer = new byte[1 << 16];
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        digest.update(buffer, 0, n);
      }
      return HexFormat.of().formatHex(digest.digest());
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
