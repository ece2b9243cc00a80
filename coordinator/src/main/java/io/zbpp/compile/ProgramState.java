package io.zbpp.compile;

import io.zbpp.protocol.msg.Dataflow;
import io.zbpp.protocol.msg.OpFlow;
import io.zbpp.protocol.msg.ProgramInstruction;
import io.zbpp.protocol.msg.ProgramOp;
import io.zbpp.protocol.msg.TensorKey;
import java.util.HashSet;
import java.util.Set;

/**
 * What {@link MessageSimulation} tracks: passes done per (chunk, microbatch), tensors in each stage's
 * local buffer, outputs waiting for their SEND, and messages in flight. Keys are strings such as
 * {@code act c3 j5 @2} (the input of F(3, 5) at stage 2) for readable error messages.
 */
final class ProgramState {
  private final Programs programs;
  private final Dataflow flow;
  private final int m;
  private final boolean[] doneF;
  private final boolean[] doneB;
  private final boolean[] doneW;
  private final Set<String> local = new HashSet<>();
  private final Set<String> outbox = new HashSet<>();
  private final Set<String> inFlight = new HashSet<>();
  private final Set<Integer> stepped = new HashSet<>();
  private final Set<Integer> normed = new HashSet<>();
  private final boolean checked;
  private final boolean postValidation;

  ProgramState(Programs programs) {
    this.programs = programs;
    this.flow = programs.dataflow();
    this.m = programs.microbatches();
    int n = programs.chunks() * m;
    doneF = new boolean[n];
    doneB = new boolean[n];
    doneW = new boolean[n];
    checked = has(programs, ProgramOp.NORM);
    postValidation = has(programs, ProgramOp.VALIDATE);
    if (postValidation) { // the full state of the previous iteration, received during this one
      for (int s = 0; s < programs.stages().size() - 1; s++) {
        inFlight.add("full @" + s);
      }
    }
  }

  private static boolean has(Programs programs, ProgramOp op) {
    return programs.stages().stream().anyMatch(p -> p.instructions().stream().anyMatch(i -> i.op() == op));
  }

  /**
   * The channel key of a tensor SEND or RECV (the tensor it moves, at its consumer's stage; {@link Dataflow}),
   * or null for other ops.
   */
  static String messageKey(ProgramInstruction in, Dataflow flow) {
    if (OpFlow.of(in.op()).tensor().isEmpty()) {
      return null;
    }
    TensorKey key = flow.moved(in, 0);
    return flow.inModel(key.chunk()) ? tensor(key, flow.consumerStage(key))
        : name(key) + " outside the model's chunks 0.." + (flow.chunks() - 1);
  }

  private static String tensor(TensorKey key, int stage) {
    return name(key) + " @" + stage;
  }

  private static String name(TensorKey key) {
    String kind = switch (key.kind()) {
      case ACTIVATION -> "act";
      case GRADIENT -> "grad";
      case PARAMETER -> "param";
    };
    return kind + " c" + key.chunk() + " j" + key.microbatch();
  }

  /** Runs {@code in} if it can run now; returns whether it did. */
  boolean tryRun(ProgramInstruction in) {
    int c = in.chunk();
    int j = in.microbatch();
    int s = in.stage();
    return switch (in.op()) {
      case F -> consume(in) && produce(in, doneF);
      case B, BW -> doneF[c * m + j] && consume(in) && backward(in);
      case W -> doneB[c * m + j] && !doneW[c * m + j] && mark(doneW, c, j);
      case LOSS -> c == programs.chunks() - 1 && doneF[c * m + j];
      case SEND_F, SEND_B -> outbox.remove(messageKey(in, flow)) && inFlight.add(messageKey(in, flow));
      case RECV_F, RECV_B -> inFlight.remove(messageKey(in, flow)) && local.add(messageKey(in, flow));
      case STEP -> allWeightsDone(c) && (!checked || normed.contains(c)) && stepped.add(c);
      case NORM -> allWeightsDone(c) && normed.add(c);
      case SEND_PARTIAL -> inFlight.add("partial @" + flow.peerStages(in).get(0));
      case RECV_PARTIAL -> inFlight.remove("partial @" + s);
      case SEND_FULL -> sendFull(in);
      case RECV_FULL -> inFlight.remove("full @" + s);
      case VALIDATE -> true;
    };
  }

  /** The last stage's full state to every other stage (in post-validation: for the next iteration). */
  private boolean sendFull(ProgramInstruction in) {
    for (int t : flow.peerStages(in)) {
      inFlight.add((postValidation ? "next full @" : "full @") + t);
    }
    return true;
  }

  private boolean backward(ProgramInstruction in) {
    if (in.op() == ProgramOp.BW) {
      mark(doneW, in.chunk(), in.microbatch());
    }
    return produce(in, doneB);
  }

  /** Takes the pass's input from the stage's local buffer, if it reads one (the dataflow table). */
  private boolean consume(ProgramInstruction in) {
    return flow.input(in, 0).map(k -> local.remove(tensor(k, in.stage()))).orElse(true);
  }

  /** Marks a pass done and puts its output where the consumer chunk will find it. */
  private boolean produce(ProgramInstruction in, boolean[] done) {
    mark(done, in.chunk(), in.microbatch());
    flow.output(in, 0).ifPresent(k -> {
      int target = flow.consumerStage(k);
      (target == in.stage() ? local : outbox).add(tensor(k, target));
    });
    return true;
  }

  private boolean mark(boolean[] done, int c, int j) {
    done[c * m + j] = true;
    return true;
  }

  private boolean allWeightsDone(int c) {
    for (int j = 0; j < m; j++) {
      if (!doneW[c * m + j]) {
        return false;
      }
    }
    return true;
  }

  /** What is left over after every program finished: unsent outputs, unreceived messages, missing steps. */
  String leftover() {
    if (!outbox.isEmpty()) {
      return "outputs never sent: " + outbox;
    }
    inFlight.removeIf(k -> postValidation && k.startsWith("next full @"));
    if (!inFlight.isEmpty()) {
      return "messages never received: " + inFlight;
    }
    if (!local.isEmpty()) {
      return "inputs never consumed: " + local;
    }
    if (checked && normed.size() != programs.chunks()) {
      return "grad norms taken for chunks " + normed + " of " + programs.chunks();
    }
    if (stepped.size() != programs.chunks()) {
      return "optimizer steps ran for chunks " + stepped + " of " + programs.chunks();
    }
    return "";
  }
}
