package io.zbpp.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zbpp.protocol.msg.JobEpoch;
import io.zbpp.protocol.msg.TensorKey;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The in-JVM data plane: the same interface, tensors handed over without a copy. */
class InMemoryDataPlaneTest {
  private static final JobEpoch JOB = new JobEpoch("j", 1);
  private final InMemoryDataPlane.Network network = new InMemoryDataPlane.Network();

  @Test
  void handsTheSendersBufferToTheReceiverAndCompletesOnRelease() throws Exception {
    TensorInbox inbox = new TensorInbox();
    Recorder upSink = new Recorder();
    InMemoryDataPlane up = InMemoryDataPlane.create("up", network, upSink);
    InMemoryDataPlane down = InMemoryDataPlane.create("down", network, inbox);
    DataLink link = up.connect(down.bind("ignored", 0));
    ByteBuffer payload = ByteBuffer.allocate(8).putFloat(0, 1f).putFloat(4, 2f);
    TensorKey key = TensorKey.activation(0, 0, 0);

    CompletableFuture<Void> sent = link.send(new TensorHeader(JOB, key, List.of(2)), payload);
    ReceivedTensor got = inbox.take(JOB, key).get(1, TimeUnit.SECONDS);

    assertThat(got.data().order(java.nio.ByteOrder.BIG_ENDIAN).getFloat(4)).isEqualTo(2f);
    assertThat(sent).isNotDone();
    got.release();
    assertThat(sent).isDone();

    DataLink back = down.link("up").get(1, TimeUnit.SECONDS);
    back.send(new TensorHeader(JOB, TensorKey.gradient(0, 0, 0), List.of()), ByteBuffer.allocate(0));
    assertThat(upSink.next().header().key()).isEqualTo(TensorKey.gradient(0, 0, 0));

    link.close();
    assertThat(upSink.lost).isNotDone();
    assertThatThrownBy(() -> back.send(new TensorHeader(JOB, key, List.of()), ByteBuffer.allocate(0)).join())
        .hasCauseInstanceOf(DataPlaneException.class);
  }

  @ParameterizedTest
  @EnumSource(value = FrameFault.Kind.class, names = {"DUPLICATE", "DELAY", "REORDER"})
  void deliversEveryTensorOnceUnderAFrameFault(FrameFault.Kind kind) throws Exception {
    Recorder sink = new Recorder();
    InMemoryDataPlane up = InMemoryDataPlane.create("up", network, new Recorder());
    InMemoryDataPlane down = InMemoryDataPlane.create("down", network, sink);
    up.frameFaults(FrameFaults.of(0, List.of(FrameFault.of(kind, 0, 1, 0))));
    DataLink link = up.connect(down.bind("ignored", 0));

    for (int mb = 0; mb < 3; mb++) {
      link.send(new TensorHeader(JOB, TensorKey.activation(1, mb, 0), List.of(1)),
          ByteBuffer.allocate(4).putFloat(0, mb));
    }

    java.util.Set<Integer> got = new java.util.TreeSet<>();
    for (int i = 0; i < 3; i++) {
      try (ReceivedTensor t = sink.next()) {
        assertThat(t.data().order(java.nio.ByteOrder.BIG_ENDIAN).getFloat(0)).isEqualTo(t.header().key().microbatch());
        got.add(t.header().key().microbatch());
      }
    }
    link.send(new TensorHeader(JOB, TensorKey.activation(2, 0, 0), List.of()), ByteBuffer.allocate(0));
    assertThat(sink.next().header().key().iteration()).as("no copy came before").isEqualTo(2);
    assertThat(got).containsExactly(0, 1, 2);
    assertThat(down.frameCounts().duplicates()).isEqualTo(kind == FrameFault.Kind.DUPLICATE ? 1 : 0);
  }

  @Test
  void refusesFaultsItHasNothingToDetect() {
    InMemoryDataPlane p = InMemoryDataPlane.create("p", network, new TensorInbox());

    assertThatThrownBy(() -> p.frameFaults(FrameFaults.of(1, List.of(FrameFault.of(FrameFault.Kind.DROP, 1, 0, 3)))))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("drop-frame:1@0.3: the in-memory data plane loses"
            + " and corrupts nothing, so it has nothing to detect; inject drop-frame on the netty data plane");
  }

  @Test
  void refusesAnAddressNothingIsBoundTo() {
    InMemoryDataPlane p = InMemoryDataPlane.create("p", network, new TensorInbox());

    assertThatThrownBy(() -> p.connect(new DataAddress("in-memory", 99))).isInstanceOf(DataPlaneException.class)
        .hasMessage("data plane p: cannot connect to in-memory:99: nothing bound there");
  }
}
