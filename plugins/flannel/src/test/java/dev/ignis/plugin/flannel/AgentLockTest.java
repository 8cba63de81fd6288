package dev.ignis.plugin.flannel;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentLockTest {

  @TempDir Path stateDir;

  @Test
  void theHolderIsReadWithoutOpeningTheFile_soItKeepsTheLock() throws Exception {
    assertThat(AgentLock.holder(stateDir)).isEmpty();
    try (AgentLock lock = AgentLock.take(stateDir, Duration.ZERO).orElseThrow()) {
      assertThat(AgentLock.holder(stateDir)).hasValue(ProcessHandle.current().pid());
      assertThat(AgentLock.take(stateDir, Duration.ofMillis(200))).as("a second agent in this JVM").isEmpty();
      assertThat(AgentLock.holder(stateDir)).as("still held after the second try").hasValue(ProcessHandle.current().pid());
    }
    assertThat(AgentLock.holder(stateDir)).isEmpty();
  }

  @Test
  void anotherProcessesLock_isSeen_andNoSecondAgentTakesIt() throws Exception {
    Files.createFile(stateDir.resolve(AgentLock.FILE));
    Process holder = new ProcessBuilder("flock", stateDir.resolve(AgentLock.FILE).toString(), "sleep", "30").start();
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (AgentLock.holder(stateDir).isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(AgentLock.holder(stateDir)).as("flock(1)'s lock").isPresent();
      Optional<AgentLock> second = AgentLock.take(stateDir, Duration.ofMillis(300));
      assertThat(second).isEmpty();
    } finally {
      holder.destroyForcibly().waitFor();
    }
  }
}
