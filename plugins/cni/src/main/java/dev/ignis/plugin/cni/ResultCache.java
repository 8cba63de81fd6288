package dev.ignis.plugin.cni;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * libcni's result cache: {@code <cache>/results/<network>-<containerId>-<ifName>}, a JSON
 * document of kind {@code cniCacheV1} (mode 0600, directory 0700), so that DEL works after a
 * crash or restart and other CNI tooling sees the same state. As in libcni, an entry is
 * written once the whole chain has succeeded; what happens before is in the
 * {@link AttachmentJournal}.
 */
final class ResultCache {

  static final String KIND = "cniCacheV1";

  private final Path dir;

  ResultCache(Path cacheRoot) {
    this.dir = cacheRoot.resolve("results");
  }

  /** One cache entry; {@code result} is null until a plugin of the chain has returned one. */
  record Entry(String networkName, String config, RuntimeConf runtime, JsonNode result) {
    Entry withResult(JsonNode newResult) {
      return new Entry(networkName, config, runtime, newResult);
    }

    Entry withRuntime(RuntimeConf newRuntime) {
      return new Entry(networkName, config, newRuntime, result);
    }

    String key() {
      return networkName + "-" + runtime.containerId() + "-" + runtime.ifName();
    }
  }

  Path pathOf(String key) {
    return dir.resolve(key);
  }

  /**
   * Writes an entry in place, as libcni does, and without fsync: a write cut short by a crash
   * is recovered from the {@link AttachmentJournal}, which holds the same; a temp file and
   * rename, or an fsync, cost 2 to 10% of an ADD here.
   */
  void write(Entry entry) {
    ObjectNode json = encode(entry);
    try {
      Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      try (var channel = Files.newByteChannel(pathOf(entry.key()), java.util.Set.of(StandardOpenOption.CREATE,
          StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE),
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
        channel.write(java.nio.ByteBuffer.wrap(Json.write(json).getBytes(StandardCharsets.UTF_8)));
      }
    } catch (IOException e) {
      throw new IgnisException(ErrorCode.IO_FAILURE, "cannot write CNI cache entry " + pathOf(entry.key()) + ": "
          + e.getMessage(), e);
    }
  }

  /** An entry as the cache file's JSON. */
  static ObjectNode encode(Entry entry) {
    ObjectNode json = Json.MAPPER.createObjectNode();
    json.put("kind", KIND);
    json.put("containerId", entry.runtime().containerId());
    json.put("config", Base64.getEncoder().encodeToString(entry.config().getBytes(StandardCharsets.UTF_8)));
    json.put("ifName", entry.runtime().ifName());
    json.put("networkName", entry.networkName());
    if (!entry.runtime().netnsPath().isEmpty()) {
      json.put("netns", entry.runtime().netnsPath());
    }
    ArrayNode args = json.putArray("cniArgs");
    entry.runtime().args().forEach(pair -> args.addArray().add(pair.get(0)).add(pair.get(1)));
    json.set("capabilityArgs", entry.runtime().capabilityArgs());
    if (entry.result() != null) {
      json.set("result", entry.result());
    }
    return json;
  }

  Optional<Entry> read(String key) {
    Path file = pathOf(key);
    String text;
    try {
      text = Files.readString(file);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new IgnisException(ErrorCode.IO_FAILURE, "cannot read CNI cache entry " + file + ": " + e.getMessage(), e);
    }
    return Optional.of(decode(Json.object(text, "CNI cache entry " + file), "CNI cache entry " + file));
  }

  /** An entry from the cache file's JSON; {@code where} names it in errors. */
  static Entry decode(ObjectNode json, String where) {
    if (!KIND.equals(Json.text(json, "kind"))) {
      throw new IgnisException(ErrorCode.DECODING_FAILURE, where + " is of kind '" + Json.text(json, "kind")
          + "', not " + KIND);
    }
    List<List<String>> args = new ArrayList<>();
    JsonNode cniArgs = json.get("cniArgs");
    if (cniArgs != null) {
      cniArgs.forEach(pair -> args.add(List.of(pair.get(0).asText(), pair.get(1).asText())));
    }
    JsonNode capabilities = json.get("capabilityArgs");
    RuntimeConf runtime = new RuntimeConf(Json.text(json, "containerId"), Json.text(json, "netns"),
        Json.text(json, "ifName"), args,
        capabilities instanceof ObjectNode object ? object : Json.MAPPER.createObjectNode());
    String config = new String(Base64.getDecoder().decode(Json.text(json, "config")), StandardCharsets.UTF_8);
    return new Entry(Json.text(json, "networkName"), config, runtime, json.get("result"));
  }

  /**
   * The attachments the cache holds for a network, whichever runtime made them (the cache is
   * shared by every CNI runtime of the host); entries that cannot be read are left out.
   */
  List<RuntimeConf> entriesOf(String network) {
    List<RuntimeConf> attachments = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return attachments;
    }
    try (java.util.stream.Stream<Path> files = Files.list(dir)) {
      for (Path file : files.filter(f -> f.getFileName().toString().startsWith(network + "-")).toList()) {
        try {
          Entry entry = decode(Json.object(Files.readString(file), "CNI cache entry " + file), "CNI cache entry " + file);
          if (entry.networkName().equals(network)) {
            attachments.add(entry.runtime());
          }
        } catch (IOException | IgnisException unreadable) {
          // Another runtime's entry in a form we do not read: not ours to judge.
        }
      }
    } catch (IOException e) {
      throw new IgnisException(ErrorCode.IO_FAILURE, "cannot list CNI cache " + dir + ": " + e.getMessage(), e);
    }
    return attachments;
  }

  void delete(String key) {
    try {
      Files.deleteIfExists(pathOf(key));
    } catch (IOException e) {
      throw new IgnisException(ErrorCode.IO_FAILURE, "cannot remove CNI cache entry " + pathOf(key) + ": "
          + e.getMessage(), e);
    }
  }
}
