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

  @Test
  void refusesAnAddressNothingIsBoundTo() {
    InMemoryDataPlane p = InMemoryDataPlane.create("p", network, new TensorInbox());

    assertThatThrownBy(() -> p.connect(new DataAddress("in-memory", 99))).isInstanceOf(DataPlaneException.class)
        .hasMessage("data plane p: cannot connect to in-memory:99: nothing bound there");
  }
}
