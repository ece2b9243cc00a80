package io.zbpp.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import io.zbpp.protocol.msg.JobEpoch;
import io.zbpp.protocol.msg.TensorKey;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class TensorInboxTest {
  private static final JobEpoch JOB = new JobEpoch("j", 1);
  private final TensorInbox inbox = new TensorInbox();
  private final AtomicInteger released = new AtomicInteger();

  private ReceivedTensor tensor(JobEpoch job, TensorKey key) {
    return new ReceivedTensor(new TensorHeader(job, key, List.of()), ByteBuffer.allocate(0), released::incrementAndGet);
  }

  @Test
  void matchesTensorsToTakesInEitherOrderAndByEpoch() {
    TensorKey k0 = TensorKey.activation(0, 0, 0);
    TensorKey k1 = TensorKey.activation(0, 1, 0);
    CompletableFuture<ReceivedTensor> early = inbox.take(JOB, k0);
    inbox.onTensor(null, tensor(new JobEpoch("j", 2), k0));
    assertThat(early).as("another epoch's tensor").isNotDone();

    inbox.onTensor(null, tensor(JOB, k0));
    inbox.onTensor(null, tensor(JOB, k1));

    assertThat(early.join().header().key()).isEqualTo(k0);
    assertThat(inbox.take(JOB, k1).join().header().key()).isEqualTo(k1);
    assertThat(inbox.discard(h -> !h.job().equals(JOB))).isEqualTo(1);
    assertThat(released).as("the other epoch's tensor, given back").hasValue(1);
  }

  @Test
  void failsPendingTakesWhenALinkIsLostAndReleasesDuplicates() {
    TensorKey k = TensorKey.gradient(1, 0, 0);
    inbox.onTensor(null, tensor(JOB, k));
    inbox.onTensor(null, tensor(JOB, k));
    assertThat(released).hasValue(1);

    CompletableFuture<ReceivedTensor> pending = inbox.take(JOB, TensorKey.gradient(1, 1, 0));
    inbox.onLinkLost(null, new DataPlaneException("gone"));

    assertThat(pending).isCompletedExceptionally();
  }
}
