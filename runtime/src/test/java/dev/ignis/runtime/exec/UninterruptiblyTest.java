package dev.ignis.runtime.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class UninterruptiblyTest {

  @Test
  void interruptsDuringTheStep_neitherReachItNorCutItShort_andStaySetAfterwards() throws Exception {
    CountDownLatch running = new CountDownLatch(1);
    AtomicBoolean stepSawAnInterrupt = new AtomicBoolean();
    Thread caller = Thread.currentThread();
    Thread canceller = new Thread(() -> {
      try {
        running.await();
        caller.interrupt();
        Thread.sleep(50);
        caller.interrupt(); // a second cancel
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    canceller.start();
    String result = Uninterruptibly.call("step", () -> {
      running.countDown();
      try {
        Thread.sleep(200); // would throw if the caller's interrupt reached it
      } catch (InterruptedException e) {
        stepSawAnInterrupt.set(true);
      }
      return "done";
    });
    canceller.join();
    assertThat(result).isEqualTo("done");
    assertThat(stepSawAnInterrupt).isFalse();
    assertThat(Thread.interrupted()).as("the interrupt is kept for the next step").isTrue();
  }

  @Test
  void anInterruptFromBefore_isKept_andTheStepStillRuns() {
    Thread.currentThread().interrupt();
    assertThat(Uninterruptibly.call("step", () -> Thread.currentThread().isInterrupted())).isFalse();
    assertThat(Thread.interrupted()).isTrue();
  }

  @Test
  void theStepsException_isThrownAsItIs() {
    IllegalArgumentException thrown = new IllegalArgumentException("bad");
    assertThatThrownBy(() -> Uninterruptibly.call("step", () -> {
      throw thrown;
    })).isSameAs(thrown);
    assertThat(Thread.interrupted()).isFalse();
  }

  @Test
  void theStepRunsWithTheCallersRoutedOutput() {
    InheritableThreadLocal<String> routed = new InheritableThreadLocal<>();
    routed.set("client 7");
    assertThat(Uninterruptibly.call("step", routed::get)).isEqualTo("client 7");
  }
}
