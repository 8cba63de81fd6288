package dev.ignis.runtime.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Threads of one process (ignisd) queue on a lock without dropping each other's kernel lock. */
class FileLockTest {

  @TempDir Path dir;

  @Test
  void anotherThread_waitsForTheLock_andSeesItHeld() throws Exception {
    Path file = dir.resolve("vm.lock");
    FileLock held = FileLock.acquire(file, Duration.ofSeconds(1), "VM a");
    CompletableFuture<Boolean> free = CompletableFuture.supplyAsync(() -> FileLock.isFree(file));
    assertThat(free.get()).as("held by another thread").isFalse();
    assertThatThrownBy(() -> CompletableFuture.supplyAsync(() -> FileLock.acquire(file, Duration.ofMillis(100), "VM a"))
        .join()).hasCauseInstanceOf(IgnisException.class)
        .satisfies(e -> assertThat(((IgnisException) e.getCause()).code()).isEqualTo(ErrorCode.BUSY));
    CompletableFuture<FileLock> waiting = CompletableFuture.supplyAsync(() -> FileLock.acquire(file, Duration.ofSeconds(5),
        "VM a"));
    Thread.sleep(100);
    assertThat(waiting).as("still waiting while held").isNotDone();
    held.close();
    try (FileLock next = waiting.get()) {
      assertThat(FileLock.isFree(file)).isFalse();
    }
    assertThat(FileLock.isFree(file)).isTrue();
  }

  @Test
  void closingTwice_releasesOnce() throws Exception {
    Path file = dir.resolve("twice.lock");
    FileLock first = FileLock.acquire(file, Duration.ofSeconds(1), "VM a");
    first.close();
    first.close();
    try (FileLock second = FileLock.acquire(file, Duration.ofSeconds(1), "VM a")) {
      assertThatThrownBy(() -> CompletableFuture.supplyAsync(() -> FileLock.acquire(file, Duration.ofMillis(100), "VM a"))
          .join()).as("a third holder while the second holds it").hasCauseInstanceOf(IgnisException.class);
    }
  }

  @Test
  void anotherThreadLookingAtTheLock_doesNotDropItForOtherProcesses() throws Exception {
    // The kernel's record locks belong to the process and go with any closed descriptor of the
    // file: a thread that opened and closed the file would free a lock another thread holds.
    Path file = dir.resolve("vm.lock");
    Path probe = java.nio.file.Files.writeString(dir.resolve("Probe.java"), """
        import java.nio.channels.FileChannel;
        import java.nio.file.*;
        public class Probe {
          public static void main(String[] args) throws Exception {
            try (FileChannel channel = FileChannel.open(Path.of(args[0]), StandardOpenOption.WRITE)) {
              System.out.print(channel.tryLock() == null ? "held" : "taken");
            }
          }
        }
        """);
    try (FileLock held = FileLock.acquire(file, Duration.ofSeconds(1), "VM a")) {
      assertThat(CompletableFuture.supplyAsync(() -> FileLock.isFree(file)).get()).isFalse();
      assertThatThrownBy(() -> CompletableFuture.supplyAsync(() -> FileLock.acquire(file, Duration.ofMillis(50), "VM a"))
          .join()).hasCauseInstanceOf(IgnisException.class);
      String javaBinary = ProcessHandle.current().info().command().orElse("java");
      Process other = new ProcessBuilder(javaBinary, probe.toString(), file.toString()).redirectErrorStream(true).start();
      String seen = new String(other.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      other.waitFor();
      assertThat(seen).as("another process sees the lock").isEqualTo("held");
    }
  }

  @Test
  void anInterruptedWaiter_givesUpWithoutTakingIt() throws Exception {
    Path file = dir.resolve("vm.lock");
    try (FileLock held = FileLock.acquire(file, Duration.ofSeconds(1), "VM a")) {
      Thread.currentThread().interrupt();
      assertThatThrownBy(() -> FileLock.acquire(file, Duration.ofSeconds(5), "VM a"))
          .satisfies(e -> assertThat(((IgnisException) e).code()).isEqualTo(ErrorCode.TRY_AGAIN_LATER));
      assertThat(Thread.interrupted()).as("the interrupt is kept").isTrue();
    }
    assertThat(FileLock.isFree(file)).isTrue();
  }

  @Test
  void aLockFileThatDoesNotExist_isFree_andIsNotMade() {
    Path file = dir.resolve("gone").resolve("lock");
    assertThat(FileLock.isFree(file)).isTrue();
    assertThat(dir.resolve("gone")).doesNotExist();
    assertThat(FileLock.isFree(dir.resolve("lock"))).isTrue();
    assertThat(dir.resolve("lock")).doesNotExist();
  }
}
