package dev.ignis.runtime.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageStoreTest {

  @TempDir Path images;

  @Test
  void onlyAnImageWhoseInitKnowsIgnisNetDhcp_takesItsAddressByDhcp() throws Exception {
    ImageStore store = new ImageStore(images, Optional.empty(), command -> {
      throw new AssertionError("nothing is built here");
    }, new PrintStream(PrintStream.nullOutputStream()), new dev.ignis.runtime.image.kernel.Kernels(images.resolve("state")));
    assertThat(store.defaultImageTakesDhcp()).as("no image").isFalse();

    Path dir = Files.createDirectories(images.resolve("default"));
    Files.writeString(dir.resolve("vmlinux"), "k");
    Files.writeString(dir.resolve("initrd.img"), "i");
    assertThat(store.hasDefaultImage()).isTrue();
    assertThat(store.defaultImageTakesDhcp()).as("built by an older installation: no revision").isFalse();
    Files.writeString(dir.resolve("init-revision"), "1\n");
    assertThat(store.defaultImageTakesDhcp()).isFalse();
    Files.writeString(dir.resolve("init-revision"), "garbage");
    assertThat(store.defaultImageTakesDhcp()).isFalse();
    Files.writeString(dir.resolve("init-revision"), "2\n");
    assertThat(store.defaultImageTakesDhcp()).isTrue();
  }
}
