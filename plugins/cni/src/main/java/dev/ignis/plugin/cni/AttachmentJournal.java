package dev.ignis.plugin.cni;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The attachments this installation made, one append-only file each in the plugin's state
 * dir: the intent (a cache entry without result) written before ADD, then the result after
 * each plugin of the chain. A crash half-way through ADD thus leaves what DEL needs; the
 * journal also lets {@code gc} reclaim only Ignis' own attachments, as the CNI cache is shared
 * with every CNI runtime on the host.
 *
 * <p>Appending (not rewriting) keeps this cheap: on ext4, replacing a file by rename or
 * truncation forces a flush that cost about 2 ms per write here.
 */
final class AttachmentJournal {

  private final Path dir;

  AttachmentJournal(Path stateDir) {
    this.dir = stateDir.resolve("attachments");
  }

  /**
   * One journalled attachment, named as its cache entry. Each part is checked, since the key
   * names files here and in the shared cache: a network name by the spec's pattern, a container
   * id and interface name by theirs.
   */
  record Item(String network, String containerId, String ifName) {
    Item {
      NetworkConfigList.checkName(network, "attachment journal");
      if (containerId == null || !containerId.matches("[a-zA-Z0-9][a-zA-Z0-9_.\\-]*")
          || ifName == null || !ifName.matches("[a-zA-Z0-9_.\\-]{1,15}") || ifName.equals(".") || ifName.equals("..")) {
        throw new IgnisException(ErrorCode.INVALID_ARGUMENT, "attachment " + containerId + "/" + ifName
            + " has an invalid container id or interface name");
      }
    }

    String key() {
      return network + "-" + containerId + "-" + ifName;
    }

    static Item of(ResultCache.Entry entry) {
      return new Item(entry.networkName(), entry.runtime().containerId(), entry.runtime().ifName());
    }
  }

  /**
   * Records the intent to attach, before anything changes; the returned log takes the
   * chain's results as it goes and must be closed.
   */
  Progress begin(ResultCache.Entry intent) {
    try {
      Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      FileChannel channel = FileChannel.open(dir.resolve(Item.of(intent).key()), java.util.Set.of(StandardOpenOption.CREATE,
          StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE),
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Progress progress = new Progress(channel);
      progress.write(ResultCache.encode(intent));
      return progress;
    } catch (IOException e) {
      throw new IgnisException(ErrorCode.IO_FAILURE, "cannot write the attachment journal " + dir + ": " + e.getMessage(), e);
    }
  }

  /** The open journal of one ADD: each result is appended as one line. */
  static final class Progress implements Consumer<JsonNode>, AutoCloseable {
    private final FileChannel channel;

    private Progress(FileChannel channel) {
      this.channel = channel;
    }

    @Override
    public void accept(JsonNode result) {
      ObjectNode line = Json.MAPPER.createObjectNode();
      line.set("result", result);
      write(line);
    }

    private void write(JsonNode json) {
      try {
        ByteBuffer bytes = ByteBuffer.wrap((Json.write(json) + "\n").getBytes(StandardCharsets.UTF_8));
        while (bytes.hasRemaining()) {
          channel.write(bytes);
        }
      } catch (IOException e) {
        throw new IgnisException(ErrorCode.IO_FAILURE, "cannot write the attachment journal: " + e.getMessage(), e);
      }
    }

    @Override
    public void close() {
      try {
        channel.close();
      } catch (IOException e) {
        // Everything written is in the file already.
      }
    }
  }

  /** The intent with the last result recorded, if the attachment is journalled. */
  Optional<ResultCache.Entry> recover(Item item) {
    List<JsonNode> results = results(item);
    return intent(item).map(intent -> results.isEmpty() ? intent : intent.withResult(results.get(results.size() - 1)));
  }

  /** The result of each plugin of the chain that returned one, in chain order. */
  List<JsonNode> results(Item item) {
    List<String> lines = lines(item);
    List<JsonNode> results = new ArrayList<>();
    for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
      try {
        results.add(Json.object(line, "journal line").get("result"));
      } catch (IgnisException torn) {
        break; // the last line of a crash may be cut short
      }
    }
    return results;
  }

  private Optional<ResultCache.Entry> intent(Item item) {
    List<String> lines = lines(item);
    return lines.isEmpty() ? Optional.empty()
        : Optional.of(ResultCache.decode(Json.object(lines.get(0), "journal " + item.key()), "journal " + item.key()));
  }

  private List<String> lines(Item item) {
    try {
      return Files.readAllLines(dir.resolve(item.key()), StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return List.of();
    } catch (IOException e) {
      throw new IgnisException(ErrorCode.IO_FAILURE, "cannot read the attachment journal " + dir + ": " + e.getMessage(), e);
    }
  }

  void forget(Item item) {
    try {
      Files.deleteIfExists(dir.resolve(item.key()));
    } catch (IOException e) {
      throw new IgnisException(ErrorCode.IO_FAILURE, "cannot update the attachment journal " + dir + ": " + e.getMessage(), e);
    }
  }

  /** Every journalled attachment. */
  List<Item> items() {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    List<Item> items = new ArrayList<>();
    try (Stream<Path> entries = Files.list(dir)) {
      for (Path file : entries.sorted().toList()) {
        try (Stream<String> lines = Files.lines(file)) {
          Optional<String> first = lines.findFirst();
          if (first.isPresent()) {
            items.add(Item.of(ResultCache.decode(Json.object(first.get(), "journal " + file), "journal " + file)));
          } else {
            Files.deleteIfExists(file); // cut short by a kill before the intent was written: nothing happened
          }
        }
      }
    } catch (IOException e) {
      throw new IgnisException(ErrorCode.IO_FAILURE, "cannot list the attachment journal " + dir + ": " + e.getMessage(), e);
    }
    return items;
  }

}
