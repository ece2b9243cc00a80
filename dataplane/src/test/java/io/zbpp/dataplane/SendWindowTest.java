package io.zbpp.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import io.zbpp.protocol.msg.JobEpoch;
import io.zbpp.protocol.msg.TensorKey;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The sender's kept frames: what an ACK releases, what a RESEND or the timeout sends again. */
class SendWindowTest {
  private static SendWindow.Pending pending(int mb) {
    TensorHeader h = new TensorHeader(new JobEpoch("j", 0), TensorKey.activation(0, mb, 0), List.of());
    return new SendWindow.Pending(h, new byte[0], ByteBuffer.allocate(0), 0, Optional.empty(),
        new CompletableFuture<>());
  }

  @Test
  void aCumulativeAckReleasesEveryFrameBelowIt() {
    SendWindow w = new SendWindow();
    for (int i = 0; i < 4; i++) {
      w.transmitted(w.add(pending(i)));
    }

    assertThat(w.ack(2)).extracting(o -> o.seq).containsExactly(0L, 1L);
    assertThat(w.ack(2)).isEmpty();
    assertThat(w.resend(1, 1)).as("acknowledged already").isEmpty();
    assertThat(w.resend(2, 2)).map(o -> o.seq).contains(2L);
  }

  @Test
  void aFrameOvertakenByTheOneThatRevealedTheGapIsNotSentAgain() {
    SendWindow w = new SendWindow();
    SendWindow.Outgoing late = w.add(pending(0));
    SendWindow.Outgoing next = w.add(pending(1));
    w.transmitted(next);
    w.transmitted(late);

    assertThat(w.resend(0, 1)).as("left after frame 1: still on its way").isEmpty();
    w.transmitted(next);
    assertThat(w.resend(0, 1)).as("frame 1 went out again after it").contains(late);
    assertThat(w.resend(0, -1)).contains(late);
  }

  @Test
  void onlyTheOldestFrameFallsOverdueAndOnlyOnceItLeft() {
    SendWindow w = new SendWindow();
    SendWindow.Outgoing first = w.add(pending(0));
    SendWindow.Outgoing second = w.add(pending(1));
    w.transmitted(first);
    w.transmitted(second);
    second.leftAt = 0;

    assertThat(w.overdue(1_000, 10)).as("the oldest has not left yet").isEmpty();
    first.leftAt = 100;
    assertThat(w.overdue(105, 10)).isEmpty();
    assertThat(w.overdue(110, 10)).contains(first);
    assertThat(w.deadline(10)).isEqualTo(110);
  }
}
