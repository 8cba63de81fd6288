package dev.ignis.runtime.vm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class StartTurnsTest {

  @Test
  void theNextStartWaits_untilATurnEnds_andATurnEndsOnce() throws Exception {
    StartTurns turns = new StartTurns(1);
    StartTurns.Turn first = turns.take();
    CompletableFuture<StartTurns.Turn> second = CompletableFuture.supplyAsync(turns::take);
    Thread.sleep(300);
    assertThat(second).isNotDone();
    first.close();
    first.close(); // a second close must not hand out a second turn
    StartTurns.Turn next = second.get(5, TimeUnit.SECONDS);
    CompletableFuture<StartTurns.Turn> third = CompletableFuture.supplyAsync(turns::take);
    Thread.sleep(300);
    assertThat(third).isNotDone();
    next.close();
    third.get(5, TimeUnit.SECONDS).close();
  }

  @Test
  void aCancelledCommand_stopsWaiting() throws Exception {
    StartTurns turns = new StartTurns(1);
    try (StartTurns.Turn held = turns.take()) {
      AtomicReference<Throwable> failure = new AtomicReference<>();
      Thread waiter = new Thread(() -> {
        try {
          turns.take();
        } catch (IgnisException e) {
          failure.set(e);
        }
      });
      waiter.start();
      Thread.sleep(200);
      waiter.interrupt();
      waiter.join(5000);
      assertThat(failure.get()).isInstanceOfSatisfying(IgnisException.class,
          e -> assertThat(e.code()).isEqualTo(ErrorCode.TRY_AGAIN_LATER));
    }
  }
}
