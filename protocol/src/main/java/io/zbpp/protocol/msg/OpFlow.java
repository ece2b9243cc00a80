package io.zbpp.protocol.msg;

import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The dataflow table of the instruction set: for every {@link ProgramOp}, which tensor it reads and which it
 * writes, whether it sends, receives or stays on its stage, and what it names (one microbatch of one chunk,
 * or one chunk). The compiler's lowering passes, its message simulation and the stage interpreter all read
 * this table (through {@link Dataflow}, which adds the job's chunk placement); none of them re-derives the
 * "chunk c±1" rule. docs/design.md "Instruction set" points here.
 *
 * <p>Tensors are named relative to the op's chunk {@code c} and microbatch {@code j}, by the chunk that
 * <em>consumes</em> them, as {@link TensorKey} does: {@code act[j, c]} is the input of F on chunk c (chunk
 * c−1's output), {@code grad[j, c]} the output gradient that B on chunk c starts from (chunk c+1's input
 * gradient). Activations flow to the next chunk, gradients to the previous one ({@link #flowStep}). A stage
 * keeps two buffers: the inbox (inputs that arrived or that a local chunk produced) and the outbox (outputs
 * whose consumer chunk lives on another stage, waiting for their SEND). Roughly, as DeepSpeed documents its
 * pipeline instructions (s is the op's stage, p the number of stages, V the number of chunks):
 *
 * <pre>
 * F j.c          act[j, c+1] = forward_c(act[j, c])          chunk 0 reads microbatch j's tokens instead;
 *                                                            chunk V−1 computes and keeps the loss
 * B j.c          grad[j, c−1] = backward_input_c(grad[j, c]) chunk V−1 starts from the loss; chunk 0 gives
 *                                                            its gradient to no one
 * W j.c          weight_grads_c += backward_weight_c(j)      reads what B j.c kept, writes no tensor
 * BW j.c         B j.c then W j.c                            grad[j, c−1] leaves only after both
 * SEND_F j.c     send(outbox.pop(act[j, c+1]), stage(c+1))
 * RECV_F j.c     inbox[act[j, c]] = recv(stage(c−1))
 * SEND_B j.c     send(outbox.pop(grad[j, c−1]), stage(c−1))
 * RECV_B j.c     inbox[grad[j, c]] = recv(stage(c+1))
 * LOSS j.c       losses[j] = loss_c(j)                       c = V−1, after F j.c
 * STEP .c        params_c = adamw(params_c, weight_grads_c)  after every W of chunk c
 * NORM .c        partial[c] = |weight_grads_c|²
 * SEND_PARTIAL   send(partial of stages 0…s, stage s+1)
 * RECV_PARTIAL   partial += recv(stage s−1)
 * SEND_FULL      send(partial of all stages, every stage &lt; p−1)   s = p−1
 * RECV_FULL      full = recv(stage p−1)                      this iteration's (SYNC) or the previous one's
 * VALIDATE .c    check the previous iteration's step of chunk c against full; roll back and redo it, or
 *                skip it, when rejected (docs/design.md §6)
 * </pre>
 *
 * <p>Invariant (the lowering and its message simulation prove it for every compiled job): every SEND pairs
 * with exactly one RECV of the same tensor on the peer stage, or the pipeline deadlocks.
 *
 * @param op the op
 * @param direction whether the op sends, receives or stays on its stage
 * @param reads the tensor the op takes: compute ops from the inbox, SENDs from the outbox
 * @param writes the tensor the op produces: compute ops for the consumer chunk (inbox when it is local, else
 *     outbox), RECVs into the inbox
 * @param state the optimizer state a state SEND/RECV moves
 * @param unit what the op names besides its chunk
 */
public record OpFlow(ProgramOp op, Direction direction, Optional<Slot> reads, Optional<Slot> writes,
    Optional<StateMessage> state, Unit unit) {
  /** Whether an op moves something between stages, and which way. */
  public enum Direction {
    LOCAL,
    SEND,
    RECV
  }

  /** The optimizer state (per-chunk grad-norm²) a state op moves. */
  public enum StateMessage {
    /** Reduced over stages 0…s, travelling from stage to stage. */
    PARTIAL,
    /** Reduced over all stages, from the last stage to every other. */
    FULL
  }

  /** What an op names besides its chunk. */
  public enum Unit {
    /** One microbatch: the op prints with its microbatch ({@code 2SEND_B5}). */
    MICROBATCH,
    /** The whole chunk (the optimizer and its check): no microbatch ({@code 0STEP}). */
    CHUNK
  }

  /**
   * A tensor relative to an op on chunk c: of {@code kind}, keyed by chunk {@code c + offset} (its consumer).
   */
  public record Slot(TensorKind kind, int offset) {
    public Slot {
      Objects.requireNonNull(kind, "kind");
      flowStep(kind); // only activations and gradients flow between chunks
    }

    /** The consumer chunk of this slot for an op on chunk {@code c}; the tensor's key names it. */
    public int keyChunk(int c) {
      return c + offset;
    }

    /** The chunk that produces this slot's tensor for an op on chunk {@code c}. */
    public int producerChunk(int c) {
      return keyChunk(c) - flowStep(kind);
    }

    public TensorKey key(int iteration, int microbatch, int c) {
      return new TensorKey(iteration, kind, microbatch, keyChunk(c), 0);
    }
  }

  private static final Map<ProgramOp, OpFlow> TABLE = new EnumMap<>(ProgramOp.class);

  static {
    for (ProgramOp op : ProgramOp.values()) {
      TABLE.put(op, entry(op));
    }
  }

  public OpFlow {
    Objects.requireNonNull(op, "op");
    Objects.requireNonNull(direction, "direction");
    Objects.requireNonNull(reads, "reads");
    Objects.requireNonNull(writes, "writes");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(unit, "unit");
  }

  /** The table's entry for {@code op}. */
  public static OpFlow of(ProgramOp op) {
    return TABLE.get(op);
  }

  /** Where a tensor of {@code kind} goes from its producer: activations to chunk c+1, gradients to c−1. */
  public static int flowStep(TensorKind kind) {
    return switch (kind) {
      case ACTIVATION -> +1;
      case GRADIENT -> -1;
      case PARAMETER -> throw new IllegalArgumentException("parameters do not flow between chunks");
    };
  }

  /** The op that sends a tensor of {@code kind} from its producer's stage. */
  public static ProgramOp sender(TensorKind kind) {
    return transfer(kind, Direction.SEND);
  }

  /** The op that receives a tensor of {@code kind} on its consumer's stage. */
  public static ProgramOp receiver(TensorKind kind) {
    return transfer(kind, Direction.RECV);
  }

  private static ProgramOp transfer(TensorKind kind, Direction direction) {
    for (OpFlow f : TABLE.values()) {
      if (f.direction == direction && f.tensor().filter(s -> s.kind() == kind).isPresent()) {
        return f.op;
      }
    }
    throw new IllegalArgumentException("no op " + direction + "s a tensor of kind " + kind);
  }

  /** The tensor a SEND or RECV moves (what it reads or writes); empty for other ops. */
  public Optional<Slot> tensor() {
    return switch (direction) {
      case SEND -> state.isPresent() ? Optional.empty() : reads;
      case RECV -> state.isPresent() ? Optional.empty() : writes;
      case LOCAL -> Optional.empty();
    };
  }

  /** The table itself: one case per op, no default, so a new op cannot be forgotten. */
  private static OpFlow entry(ProgramOp op) {
    Slot act = new Slot(TensorKind.ACTIVATION, 0);
    Slot nextAct = new Slot(TensorKind.ACTIVATION, +1);
    Slot grad = new Slot(TensorKind.GRADIENT, 0);
    Slot prevGrad = new Slot(TensorKind.GRADIENT, -1);
    return switch (op) {
      case F -> local(op, Optional.of(act), Optional.of(nextAct));
      case B, BW -> local(op, Optional.of(grad), Optional.of(prevGrad));
      case W, LOSS -> local(op, Optional.empty(), Optional.empty());
      case SEND_F -> new OpFlow(op, Direction.SEND, Optional.of(nextAct), Optional.empty(), Optional.empty(),
          Unit.MICROBATCH);
      case RECV_F -> new OpFlow(op, Direction.RECV, Optional.empty(), Optional.of(act), Optional.empty(),
          Unit.MICROBATCH);
      case SEND_B -> new OpFlow(op, Direction.SEND, Optional.of(prevGrad), Optional.empty(), Optional.empty(),
          Unit.MICROBATCH);
      case RECV_B -> new OpFlow(op, Direction.RECV, Optional.empty(), Optional.of(grad), Optional.empty(),
          Unit.MICROBATCH);
      case STEP, NORM, VALIDATE -> new OpFlow(op, Direction.LOCAL, Optional.empty(), Optional.empty(),
          Optional.empty(), Unit.CHUNK);
      case SEND_PARTIAL -> state(op, Direction.SEND, StateMessage.PARTIAL);
      case RECV_PARTIAL -> state(op, Direction.RECV, StateMessage.PARTIAL);
      case SEND_FULL -> state(op, Direction.SEND, StateMessage.FULL);
      case RECV_FULL -> state(op, Direction.RECV, StateMessage.FULL);
    };
  }

  private static OpFlow local(ProgramOp op, Optional<Slot> reads, Optional<Slot> writes) {
    return new OpFlow(op, Direction.LOCAL, reads, writes, Optional.empty(), Unit.MICROBATCH);
  }

  private static OpFlow state(ProgramOp op, Direction direction, StateMessage message) {
    return new OpFlow(op, direction, Optional.empty(), Optional.empty(), Optional.of(message), Unit.CHUNK);
  }
}
