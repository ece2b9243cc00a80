package io.zbpp.protocol.msg;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The dataflow table ({@link OpFlow}) applied to one job's chunk placement: the tensor keys an instruction
 * reads, writes or moves, the stage on the other end of a SEND or RECV, and the SEND/RECV a compute pass needs
 * around it. The compiler (lowering passes, message simulation) and the stage interpreter ask here; nobody else
 * spells out which chunk feeds which. Keys carry attempt 0; the interpreter moves them to its attempt.
 *
 * <p>At the model's edges a pass has no tensor to read or hand on: F on chunk 0 reads the microbatch's tokens,
 * F on chunk V−1 keeps its loss for LOSS, B on chunk V−1 starts from the loss, B on chunk 0 has no one to
 * give its input gradient to.
 */
public final class Dataflow {
  private final List<Integer> chunkStage;
  private final int stages;

  /** @param chunkStage the stage of each chunk, indexed by chunk (every stage holds at least one) */
  public Dataflow(List<Integer> chunkStage) {
    this.chunkStage = List.copyOf(chunkStage);
    this.stages = this.chunkStage.stream().mapToInt(Integer::intValue).max().orElse(-1) + 1;
  }

  /** The number of chunks V. */
  public int chunks() {
    return chunkStage.size();
  }

  /** The number of stages p. */
  public int stages() {
    return stages;
  }

  public int stageOf(int chunk) {
    return chunkStage.get(chunk);
  }

  /** Whether {@code chunk} is one of the model's chunks 0…V−1. */
  public boolean inModel(int chunk) {
    return chunk >= 0 && chunk < chunkStage.size();
  }

  /** The tensor a compute pass takes from its stage's inbox; empty for W, LOSS and at the model's edges. */
  public Optional<TensorKey> input(ProgramInstruction in, int iteration) {
    return OpFlow.of(in.op()).reads().filter(s -> direction(in) == OpFlow.Direction.LOCAL)
        .filter(s -> inModel(s.producerChunk(in.chunk()))).map(s -> s.key(iteration, in.microbatch(), in.chunk()));
  }

  /** The tensor a compute pass hands to its consumer chunk; empty for W, LOSS and at the model's edges. */
  public Optional<TensorKey> output(ProgramInstruction in, int iteration) {
    return OpFlow.of(in.op()).writes().filter(s -> direction(in) == OpFlow.Direction.LOCAL)
        .filter(s -> inModel(s.keyChunk(in.chunk()))).map(s -> s.key(iteration, in.microbatch(), in.chunk()));
  }

  /** The tensor a SEND_F/SEND_B/RECV_F/RECV_B moves; the key names its consumer chunk. */
  public TensorKey moved(ProgramInstruction in, int iteration) {
    OpFlow.Slot s = tensorSlot(in);
    return s.key(iteration, in.microbatch(), in.chunk());
  }

  /** The stage where {@code key}'s consumer chunk runs: where the tensor must end up. */
  public int consumerStage(TensorKey key) {
    return stageOf(key.chunk());
  }

  /**
   * The chunk on the other end of a tensor SEND or RECV: the consumer for a SEND, the producer for a RECV.
   * May lie outside the model for a malformed program ({@link #inModel}).
   */
  public int peerChunk(ProgramInstruction in) {
    OpFlow.Slot s = tensorSlot(in);
    return direction(in) == OpFlow.Direction.SEND ? s.keyChunk(in.chunk()) : s.producerChunk(in.chunk());
  }

  /** The stage on the other end of a tensor SEND or RECV. */
  public int peerStage(ProgramInstruction in) {
    return stageOf(peerChunk(in));
  }

  /**
   * The stages a SEND reaches or a RECV hears from, tensor or optimizer state: the partial state travels
   * s → s+1, the full state from stage p−1 to every other stage.
   */
  public List<Integer> peerStages(ProgramInstruction in) {
    OpFlow f = OpFlow.of(in.op());
    if (f.state().isEmpty()) {
      return f.tensor().isPresent() ? List.of(peerStage(in)) : List.of();
    }
    int s = in.stage();
    return switch (f.state().get()) {
      case PARTIAL -> List.of(f.direction() == OpFlow.Direction.SEND ? s + 1 : s - 1);
      case FULL -> {
        if (f.direction() == OpFlow.Direction.RECV) {
          yield List.of(stages - 1);
        }
        List<Integer> all = new ArrayList<>();
        for (int t = 0; t < stages - 1; t++) {
          all.add(t);
        }
        yield all;
      }
    };
  }

  /** The RECV that must come before compute pass {@code in}: its input is produced on another stage. */
  public Optional<ProgramInstruction> receiveBefore(ProgramInstruction in) {
    return input(in, 0).filter(k -> stageOf(producerChunk(k)) != in.stage()).map(k -> transfer(in,
        OpFlow.receiver(k.kind()), k));
  }

  /** The SEND that must come after compute pass {@code in}: its output is consumed on another stage. */
  public Optional<ProgramInstruction> sendAfter(ProgramInstruction in) {
    return output(in, 0).filter(k -> consumerStage(k) != in.stage()).map(k -> transfer(in,
        OpFlow.sender(k.kind()), k));
  }

  /** The transfer op on {@code in}'s stage whose tensor is {@code key}: it names the chunk held here. */
  private static ProgramInstruction transfer(ProgramInstruction in, ProgramOp op, TensorKey key) {
    OpFlow.Slot s = OpFlow.of(op).tensor().orElseThrow();
    return ProgramInstruction.of(in.stage(), op, in.microbatch(), key.chunk() - s.offset());
  }

  private static int producerChunk(TensorKey key) {
    return key.chunk() - OpFlow.flowStep(key.kind());
  }

  private static OpFlow.Direction direction(ProgramInstruction in) {
    return OpFlow.of(in.op()).direction();
  }

  private static OpFlow.Slot tensorSlot(ProgramInstruction in) {
    return OpFlow.of(in.op()).tensor()
        .orElseThrow(() -> new IllegalArgumentException(in + " moves no tensor"));
  }
}
