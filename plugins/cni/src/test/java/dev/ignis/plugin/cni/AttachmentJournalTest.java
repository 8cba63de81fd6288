package dev.ignis.plugin.cni;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AttachmentJournalTest {

  @TempDir Path dir;

  private ResultCache.Entry intent() {
    RuntimeConf conf = new RuntimeConf("0123456789abcdef", "/run/netns/x", "eth0", List.of(List.of("IgnoreUnknown", "1")),
        Json.MAPPER.createObjectNode());
    return new ResultCache.Entry("net-a", CniRuntimeTest.CONFLIST, conf, null);
  }

  @Test
  void recover_returnsTheIntentWithTheLastCompleteResult_evenAfterATornLine() throws Exception {
    AttachmentJournal journal = new AttachmentJournal(dir);
    AttachmentJournal.Item item = AttachmentJournal.Item.of(intent());
    try (AttachmentJournal.Progress progress = journal.begin(intent())) {
      assertThat(journal.recover(item)).hasValueSatisfying(e -> assertThat(e.result()).isNull());
      progress.accept(Json.object("{\"ips\":[1]}", "r"));
      progress.accept(Json.object("{\"ips\":[2]}", "r"));
    }
    Files.writeString(dir.resolve("attachments").resolve(item.key()), "{\"result\":{\"ips\"", StandardOpenOption.APPEND);

    ResultCache.Entry recovered = journal.recover(item).orElseThrow();
    assertThat(recovered.result().toString()).isEqualTo("{\"ips\":[2]}");
    assertThat(recovered.config()).isEqualTo(CniRuntimeTest.CONFLIST);
    assertThat(recovered.runtime().netnsPath()).isEqualTo("/run/netns/x");
    assertThat(journal.items()).containsExactly(new AttachmentJournal.Item("net-a", "0123456789abcdef", "eth0"));

    journal.forget(item);
    assertThat(journal.items()).isEmpty();
    assertThat(journal.recover(item)).isEmpty();
  }
}
