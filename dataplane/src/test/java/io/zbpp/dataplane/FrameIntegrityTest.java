package io.zbpp.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import io.zbpp.protocol.msg.JobEpoch;
import io.zbpp.protocol.msg.TensorKey;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Message integrity over real sockets: each frame fault, injected on the sending side, and the receiver still
 * gets exactly the tensors sent, once each, bit for bit, in send order; the counters say what was detected.
 * The retransmit timeout is long (30 s) except where the timeout itself is tested, so a loaded machine cannot
 * cause a retransmission the test does not expect.
 */
class FrameIntegrityTest {
  private static final JobEpoch JOB = new JobEpoch("job-1", 2);
  private static final String HOST = "127.0.0.1";
  private static final int TENSORS = 4;
  private static final int BYTES = 256 * 1024;

  private final List<DataPlane> planes = new ArrayList<>();

  @AfterEach
  void closePlanes() {
    planes.forEach(DataPlane::close);
  }

  static Stream<Arguments> faults() {
    // kind, index, what the receiver counts, how often the sender (which injects the one fault) retransmits
    return Stream.of(
        Arguments.of(FrameFault.Kind.CORRUPT, 1, new FrameCounts(0, 1, 0, 0, 0), 1),
        Arguments.of(FrameFault.Kind.DROP, 1, new FrameCounts(0, 0, 1, 0, 0), 1),
        Arguments.of(FrameFault.Kind.DUPLICATE, 1, new FrameCounts(0, 0, 0, 1, 0), 0),
        Arguments.of(FrameFault.Kind.REORDER, 1, new FrameCounts(0, 0, 1, 0, 0), 0),
        Arguments.of(FrameFault.Kind.DELAY, 0, new FrameCounts(0, 0, 1, 0, 0), 0));
  }

  @ParameterizedTest(name = "{0} of frame {1}")
  @MethodSource("faults")
  void theReceiverGetsEveryTensorOnceIntactAndInOrder(FrameFault.Kind kind, int index, FrameCounts detected,
      int retransmits) throws Exception {
    Recorder sink = new Recorder();
    NettyDataPlane a = plane("a", Duration.ofSeconds(30), new Recorder());
    NettyDataPlane b = plane("b", Duration.ofSeconds(30), sink);
    a.frameFaults(FrameFaults.of(0, List.of(FrameFault.of(kind, 0, 0, index), FrameFault.of(kind, 1, 0, 2))));
    DataLink link = a.connect(b.bind(HOST, 0));

    List<CompletableFuture<Void>> sent = new ArrayList<>();
    for (int mb = 0; mb < TENSORS; mb++) {
      sent.add(link.send(header(0, mb), pattern(mb)));
    }
    CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
    for (int mb = 0; mb < TENSORS; mb++) {
      try (ReceivedTensor got = sink.next()) {
        assertThat(got.header()).isEqualTo(header(0, mb));
        assertThat(got.data().mismatch(pattern(mb))).as("tensor %d bit for bit", mb).isEqualTo(-1);
      }
    }
    link.send(header(1, 0), pattern(9)).get(30, TimeUnit.SECONDS);

    assertThat(sink.next().header().key()).as("no copy before the next tensor").isEqualTo(header(1, 0).key());
    assertThat(b.frameCounts()).isEqualTo(detected);
    assertThat(a.frameCounts()).isEqualTo(new FrameCounts(1, 0, 0, 0, retransmits));
  }

  @Test
  void aDroppedLastFrameIsSentAgainWhenItStaysUnacknowledged() throws Exception {
    Recorder sink = new Recorder();
    NettyDataPlane a = plane("a", Duration.ofMillis(200), new Recorder());
    NettyDataPlane b = plane("b", Duration.ofMillis(200), sink);
    a.frameFaults(FrameFaults.of(0, List.of(FrameFault.of(FrameFault.Kind.DROP, 0, 3, 0))));
    DataLink link = a.connect(b.bind(HOST, 0));

    CompletableFuture<Void> sent = link.send(header(3, 0), pattern(3));

    try (ReceivedTensor got = sink.next()) {
      assertThat(got.data().mismatch(pattern(3))).isEqualTo(-1);
    }
    sent.get(30, TimeUnit.SECONDS);
    assertThat(a.frameCounts().missing()).as("found missing by the sender's timeout").isPositive();
    assertThat(a.frameCounts().retransmits()).isPositive();
    assertThat(b.frameCounts().corrupted()).isZero();
  }

  @Test
  void aSecondTensorWithADeliveredKeyIsDroppedAndCounted() throws Exception {
    Recorder sink = new Recorder();
    NettyDataPlane a = plane("a", Duration.ofSeconds(30), new Recorder());
    NettyDataPlane b = plane("b", Duration.ofSeconds(30), sink);
    DataLink link = a.connect(b.bind(HOST, 0));

    link.send(header(5, 1), pattern(1)).get(30, TimeUnit.SECONDS);
    link.send(header(5, 1), pattern(2)).get(30, TimeUnit.SECONDS);
    link.send(header(5, 2), pattern(3)).get(30, TimeUnit.SECONDS);

    try (ReceivedTensor first = sink.next()) {
      assertThat(first.data().mismatch(pattern(1))).isEqualTo(-1);
    }
    assertThat(sink.next().header().key()).isEqualTo(header(5, 2).key());
    assertThat(b.frameCounts()).isEqualTo(new FrameCounts(0, 0, 0, 1, 0));
  }

  @Test
  void faultsFireOnceForTheirStageIterationAndIndex() {
    FrameFaults f = FrameFaults.of(1, List.of(FrameFault.of(FrameFault.Kind.DROP, 1, 2, 1),
        FrameFault.of(FrameFault.Kind.CORRUPT, 0, 2, 1)));

    assertThat(f.next(header(2, 0))).isEmpty();
    assertThat(f.next(header(3, 0))).as("another iteration counts apart").isEmpty();
    assertThat(f.next(header(2, 1))).contains(FrameFault.of(FrameFault.Kind.DROP, 1, 2, 1));
    TensorHeader replay = new TensorHeader(new JobEpoch(JOB.jobId(), 3), TensorKey.activation(2, 0, 0), List.of());
    assertThat(f.next(replay)).isEmpty();
    assertThat(f.next(replay)).as("fired once already").isEmpty();
    assertThat(f.fired()).extracting(FrameFault::toString).containsExactly("drop-frame:1@2.1");
    assertThat(FrameFaults.of(2, f.faults())).isSameAs(FrameFaults.NONE);
    assertThat(FrameFault.Kind.parse("reorder-frame")).contains(FrameFault.Kind.REORDER);
    assertThat(FrameFault.Kind.parse("kill-stage")).isEmpty();
  }

  private NettyDataPlane plane(String id, Duration retransmit, TensorSink sink) {
    NettyDataPlane p = NettyDataPlane.create(id, DataPlaneConfig.plain().withRetransmitTimeout(retransmit), sink);
    planes.add(p);
    return p;
  }

  private static TensorHeader header(int iteration, int microbatch) {
    return new TensorHeader(JOB, TensorKey.activation(iteration, microbatch, 0), List.of(BYTES / 4));
  }

  private static ByteBuffer pattern(int seed) {
    ByteBuffer b = ByteBuffer.allocateDirect(BYTES);
    for (int i = 0; i < BYTES; i++) {
      b.put(i, (byte) (i * 31 + seed * 7 + i / 251));
    }
    return b;
  }
}
