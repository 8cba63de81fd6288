package dev.ignis.runtime.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ignis.runtime.stdio.RoutedStdio;
import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class PluginJobsTest {

  @Test
  void outsideIgnisd_nothingStarts() {
    AtomicInteger runs = new AtomicInteger();
    PluginJobs jobs = PluginJobs.none();
    assertThat(jobs.start("p", "agent", runs::incrementAndGet)).isFalse();
    assertThat(jobs.stop("p", "agent", Duration.ofSeconds(1))).isFalse();
    assertThat(runs).hasValue(0);
    assertThat(jobs.names()).isEmpty();
  }

  @Test
  void oneJobPerName_stoppedByInterrupt_andBelongsToNoCommand() throws Exception {
    PluginJobs jobs = PluginJobs.resident();
    CountDownLatch started = new CountDownLatch(1);
    AtomicInteger runs = new AtomicInteger();
    AtomicReference<Object> target = new AtomicReference<>("unset");
    Runnable job = () -> {
      runs.incrementAndGet();
      target.set(RoutedStdio.current().orElse(null));
      started.countDown();
      try {
        Thread.sleep(60_000);
      } catch (InterruptedException e) {
        // stopped
      }
    };
    PrintStream none = new PrintStream(PrintStream.nullOutputStream());
    try (RoutedStdio.Scope command = RoutedStdio.bind(new RoutedStdio.Target(none, none, false))) {
      assertThat(jobs.start("p", "agent", job)).isTrue();
      assertThat(jobs.start("p", "agent", job)).as("a second start of a running job").isTrue();
    }
    assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(runs).hasValue(1);
    assertThat(target.get()).as("the command's streams are not the job's").isNull();
    assertThat(jobs.names()).containsExactly("p/agent");

    long asked = System.nanoTime();
    assertThat(jobs.stop("p", "agent", Duration.ofSeconds(5))).isTrue();
    assertThat(System.nanoTime() - asked).as("stopped by interrupt, not by the grace period")
        .isLessThan(TimeUnit.SECONDS.toNanos(4));
    assertThat(jobs.names()).isEmpty();
    assertThat(jobs.stop("p", "agent", Duration.ofSeconds(1))).isFalse();
  }

  @Test
  void aJobThatThrows_isGone_andMayBeStartedAgain() throws Exception {
    PluginJobs jobs = PluginJobs.resident();
    CountDownLatch ran = new CountDownLatch(2);
    Runnable failing = () -> {
      ran.countDown();
      throw new IllegalStateException("a plugin's bug");
    };
    assertThat(jobs.start("p", "x", failing)).isTrue();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (!jobs.names().isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(jobs.names()).isEmpty();
    assertThat(jobs.start("p", "x", failing)).isTrue();
    assertThat(ran.await(5, TimeUnit.SECONDS)).isTrue();
  }
}
