package io.zbpp.protocol.msg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** The dataflow table: golden entries, and that producers, consumers, SENDs and RECVs agree on every key. */
class DataflowTest {
  /** Single-chunk p=4, interleaved p=2 v=2, ZB-V p=3 (stage i holds chunks i and 2p−1−i). */
  static Stream<List<Integer>> placements() {
    return Stream.of(List.of(0, 1, 2, 3), List.of(0, 1, 0, 1), List.of(0, 1, 2, 2, 1, 0));
  }

  @ParameterizedTest
  @EnumSource(ProgramOp.class)
  void everyOpHasAnEntry(ProgramOp op) {
    OpFlow f = OpFlow.of(op);

    assertThat(f).isNotNull();
    assertThat(f.op()).isEqualTo(op);
    assertThat(f.unit() == OpFlow.Unit.MICROBATCH).isEqualTo(op.hasMicrobatch());
  }

  /** op, direction, reads (kind+offset or -), writes, state message, unit. */
  @ParameterizedTest
  @CsvSource({
      "F,            LOCAL, ACTIVATION+0, ACTIVATION+1, -,       MICROBATCH",
      "B,            LOCAL, GRADIENT+0,   GRADIENT-1,   -,       MICROBATCH",
      "BW,           LOCAL, GRADIENT+0,   GRADIENT-1,   -,       MICROBATCH",
      "W,            LOCAL, -,            -,            -,       MICROBATCH",
      "LOSS,         LOCAL, -,            -,            -,       MICROBATCH",
      "SEND_F,       SEND,  ACTIVATION+1, -,            -,       MICROBATCH",
      "RECV_F,       RECV,  -,            ACTIVATION+0, -,       MICROBATCH",
      "SEND_B,       SEND,  GRADIENT-1,   -,            -,       MICROBATCH",
      "RECV_B,       RECV,  -,            GRADIENT+0,   -,       MICROBATCH",
      "STEP,         LOCAL, -,            -,            -,       CHUNK",
      "NORM,         LOCAL, -,            -,            -,       CHUNK",
      "VALIDATE,     LOCAL, -,            -,            -,       CHUNK",
      "SEND_PARTIAL, SEND,  -,            -,            PARTIAL, CHUNK",
      "RECV_PARTIAL, RECV,  -,            -,            PARTIAL, CHUNK",
      "SEND_FULL,    SEND,  -,            -,            FULL,    CHUNK",
      "RECV_FULL,    RECV,  -,            -,            FULL,    CHUNK"})
  void theTable(ProgramOp op, OpFlow.Direction direction, String reads, String writes, String state,
      OpFlow.Unit unit) {
    OpFlow f = OpFlow.of(op);

    assertThat(f.direction()).isEqualTo(direction);
    assertThat(text(f.reads())).isEqualTo(reads);
    assertThat(text(f.writes())).isEqualTo(writes);
    assertThat(f.state().map(Enum::name).orElse("-")).isEqualTo(state);
    assertThat(f.unit()).isEqualTo(unit);
  }

  private static String text(Optional<OpFlow.Slot> slot) {
    return slot.map(s -> s.kind() + (s.offset() >= 0 ? "+" : "") + s.offset()).orElse("-");
  }

  @Test
  void eachTensorKindHasOneSenderAndOneReceiver() {
    assertThat(OpFlow.sender(TensorKind.ACTIVATION)).isEqualTo(ProgramOp.SEND_F);
    assertThat(OpFlow.receiver(TensorKind.ACTIVATION)).isEqualTo(ProgramOp.RECV_F);
    assertThat(OpFlow.sender(TensorKind.GRADIENT)).isEqualTo(ProgramOp.SEND_B);
    assertThat(OpFlow.receiver(TensorKind.GRADIENT)).isEqualTo(ProgramOp.RECV_B);
    for (TensorKind kind : List.of(TensorKind.ACTIVATION, TensorKind.GRADIENT)) {
      for (OpFlow.Direction d : List.of(OpFlow.Direction.SEND, OpFlow.Direction.RECV)) {
        assertThat(Stream.of(ProgramOp.values()).map(OpFlow::of)
            .filter(f -> f.direction() == d && f.tensor().filter(s -> s.kind() == kind).isPresent()))
            .as(d + " of " + kind).hasSize(1);
      }
    }
    assertThatThrownBy(() -> OpFlow.sender(TensorKind.PARAMETER)).hasMessage(
        "no op SENDs a tensor of kind PARAMETER");
    assertThatThrownBy(() -> new OpFlow.Slot(TensorKind.PARAMETER, 0)).hasMessage(
        "parameters do not flow between chunks");
  }

  /**
   * For every pass that hands a tensor on: its consumer pass reads exactly that key; when the two chunks sit
   * on different stages, the producer's SEND and the consumer's RECV move that key, each naming the other's
   * stage; when they share a stage, there is no SEND or RECV.
   */
  @ParameterizedTest
  @MethodSource("placements")
  void producerConsumerSendAndReceiveAgreeOnEveryKey(List<Integer> placement) {
    Dataflow flow = new Dataflow(placement);
    int handedOn = 0;
    for (ProgramInstruction producer : passes(flow)) {
      Optional<TensorKey> out = flow.output(producer, 4);
      if (out.isEmpty()) {
        continue;
      }
      handedOn++;
      TensorKey key = out.get();
      List<ProgramInstruction> consumers = consumersOf(key, flow);
      assertThat(consumers).as("consumers of " + key).isNotEmpty();
      for (ProgramInstruction consumer : consumers) {
        assertThat(flow.input(consumer, 4)).as(consumer + " reads what " + producer + " writes").contains(key);
        Optional<ProgramInstruction> send = flow.sendAfter(producer);
        Optional<ProgramInstruction> recv = flow.receiveBefore(consumer);
        if (producer.stage() == consumer.stage()) {
          assertThat(send).as(producer + " hands " + key + " on locally").isEmpty();
          assertThat(recv).isEmpty();
        } else {
          assertThat(flow.moved(send.orElseThrow(), 4)).isEqualTo(key);
          assertThat(flow.moved(recv.orElseThrow(), 4)).isEqualTo(key);
          assertThat(flow.peerStage(send.get())).isEqualTo(recv.get().stage());
          assertThat(flow.peerStage(recv.get())).isEqualTo(send.get().stage());
          assertThat(flow.peerStages(send.get())).containsExactly(consumer.stage());
          assertThat(OpFlow.of(send.get().op()).direction()).isEqualTo(OpFlow.Direction.SEND);
          assertThat(OpFlow.of(recv.get().op()).direction()).isEqualTo(OpFlow.Direction.RECV);
          assertThat(send.get().chunk()).as("a SEND names the chunk of its own stage").isEqualTo(producer.chunk());
          assertThat(recv.get().chunk()).as("a RECV names the chunk of its own stage").isEqualTo(consumer.chunk());
        }
      }
    }
    // F on every chunk but the last hands an activation on; B and BW on every chunk but the first a gradient
    int v = placement.size();
    assertThat(handedOn).isEqualTo(3 * (v - 1));
  }

  /** A pass reads a tensor exactly when some other pass writes it: only the model's edges read none. */
  @ParameterizedTest
  @MethodSource("placements")
  void onlyTheModelsEdgesReadOrWriteNoTensor(List<Integer> placement) {
    Dataflow flow = new Dataflow(placement);
    int last = placement.size() - 1;
    for (ProgramInstruction in : passes(flow)) {
      int c = in.chunk();
      boolean forward = in.op() == ProgramOp.F;
      assertThat(flow.input(in, 0).isEmpty()).as(in + " reads none").isEqualTo(forward ? c == 0 : c == last);
      assertThat(flow.output(in, 0).isEmpty()).as(in + " writes none").isEqualTo(forward ? c == last : c == 0);
    }
  }

  @Test
  void theOptimizerStateTravelsStageToStageThenFromTheLastToAll() {
    Dataflow flow = new Dataflow(List.of(0, 1, 2, 3));

    assertThat(flow.peerStages(ProgramInstruction.optimizer(1, ProgramOp.SEND_PARTIAL, 1))).containsExactly(2);
    assertThat(flow.peerStages(ProgramInstruction.optimizer(2, ProgramOp.RECV_PARTIAL, 2))).containsExactly(1);
    assertThat(flow.peerStages(ProgramInstruction.optimizer(3, ProgramOp.SEND_FULL, 3))).containsExactly(0, 1, 2);
    assertThat(flow.peerStages(ProgramInstruction.optimizer(0, ProgramOp.RECV_FULL, 0))).containsExactly(3);
    assertThat(flow.peerStages(ProgramInstruction.step(0, 0))).isEmpty();
  }

  @Test
  void zbVsTurnAtTheLastStageStaysLocal() {
    Dataflow flow = new Dataflow(List.of(0, 1, 2, 2, 1, 0));

    assertThat(flow.sendAfter(ProgramInstruction.of(2, ProgramOp.F, 0, 2))).isEmpty();
    assertThat(flow.receiveBefore(ProgramInstruction.of(2, ProgramOp.F, 0, 3))).isEmpty();
    assertThat(flow.sendAfter(ProgramInstruction.of(2, ProgramOp.B, 0, 3))).isEmpty();
    assertThat(flow.sendAfter(ProgramInstruction.of(2, ProgramOp.F, 0, 3)))
        .contains(ProgramInstruction.of(2, ProgramOp.SEND_F, 0, 3));
    assertThat(flow.receiveBefore(ProgramInstruction.of(0, ProgramOp.B, 0, 0)))
        .contains(ProgramInstruction.of(0, ProgramOp.RECV_B, 0, 0));
  }

  @Test
  void aNonTransferHasNoMovedTensor() {
    Dataflow flow = new Dataflow(List.of(0, 1));

    assertThatThrownBy(() -> flow.moved(ProgramInstruction.of(0, ProgramOp.W, 3, 0), 0))
        .hasMessage("0W3 moves no tensor");
  }

  /** F, B and BW of microbatch 1 on every chunk, on the chunk's stage. */
  private static List<ProgramInstruction> passes(Dataflow flow) {
    List<ProgramInstruction> out = new ArrayList<>();
    for (int c = 0; c < flow.chunks(); c++) {
      for (ProgramOp op : List.of(ProgramOp.F, ProgramOp.B, ProgramOp.BW)) {
        out.add(ProgramInstruction.of(flow.stageOf(c), op, 1, c));
      }
    }
    return out;
  }

  /** The passes whose table entry reads a tensor of the key's kind, on the key's chunk. */
  private static List<ProgramInstruction> consumersOf(TensorKey key, Dataflow flow) {
    List<ProgramInstruction> out = new ArrayList<>();
    for (ProgramOp op : ProgramOp.values()) {
      OpFlow f = OpFlow.of(op);
      if (f.direction() == OpFlow.Direction.LOCAL && f.reads().filter(s -> s.kind() == key.kind()).isPresent()) {
        int c = key.chunk() - f.reads().get().offset();
        out.add(ProgramInstruction.of(flow.stageOf(c), op, key.microbatch(), c));
      }
    }
    return out;
  }
}
