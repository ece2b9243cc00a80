package io.zbpp.compile;

import io.zbpp.protocol.msg.ProgramInstruction;
import io.zbpp.protocol.msg.ProgramOp;
import java.util.HashSet;
import java.util.Set;

/**
 * What {@link MessageSimulation} tracks: passes done per (chunk, microbatch), tensors in each stage's
 * local buffer, outputs waiting for their SEND, and messages in flight. Keys are strings such as
 * {@code act c3 j5 @2} (the input of F(3, 5) at stage 2) for readable error messages.
 */
final class ProgramState {
  private final Programs programs;
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

  /** The channel key of a SEND or RECV (what it carries, to which stage), or null for other ops. */
  static String messageKey(ProgramInstruction in, Programs programs) {
    int c = in.chunk();
    int j = in.microbatch();
    return switch (in.op()) {
      case SEND_F -> c + 1 < programs.chunks() ? tensor("act", c + 1, j, programs.placement().stageOf(c + 1))
          : "act past the last chunk " + c;
      case RECV_F -> tensor("act", c, j, in.stage());
      case SEND_B -> c > 0 ? tensor("grad", c - 1, j, programs.placement().stageOf(c - 1))
          : "grad before the first chunk";
      case RECV_B -> tensor("grad", c, j, in.stage());
      case F, B, W, BW, LOSS, STEP, NORM, SEND_PARTIAL, RECV_PARTIAL, SEND_FULL, RECV_FULL, VALIDATE -> null;
    };
  }

  private static String tensor(String kind, int chunk, int mb, int stage) {
    return kind + " c" + chunk + " j" + mb + " @" + stage;
  }

  /** Runs {@code in} if it can run now; returns whether it did. */
  boolean tryRun(ProgramInstruction in) {
    int c = in.chunk();
    int j = in.microbatch();
    int s = in.stage();
    return switch (in.op()) {
      case F -> (c == 0 || local.remove(tensor("act", c, j, s))) && produce(doneF, c, j, "act", c + 1, s);
      case B, BW -> doneF[c * m + j] && (c == programs.chunks() - 1 || local.remove(tensor("grad", c, j, s)))
          && backward(in, c, j, s);
      case W -> doneB[c * m + j] && !doneW[c * m + j] && mark(doneW, c, j);
      case LOSS -> c == programs.chunks() - 1 && doneF[c * m + j];
      case SEND_F, SEND_B -> outbox.remove(messageKey(in, programs)) && inFlight.add(messageKey(in, programs));
      case RECV_F, RECV_B -> inFlight.remove(messageKey(in, programs)) && local.add(messageKey(in, programs));
      case STEP -> allWeightsDone(c) && (!checked || normed.contains(c)) && stepped.add(c);
      case NORM -> allWeightsDone(c) && normed.add(c);
      case SEND_PARTIAL -> inFlight.add("partial @" + (s + 1));
      case RECV_PARTIAL -> inFlight.remove("partial @" + s);
      case SEND_FULL -> sendFull();
      case RECV_FULL -> inFlight.remove("full @" + s);
      case VALIDATE -> true;
    };
  }

  /** The last stage's full state to every other stage (in post-validation: for the next iteration). */
  private boolean sendFull() {
    for (int t = 0; t < programs.stages().size() - 1; t++) {
      inFlight.add((postValidation ? "next full @" : "full @") + t);
    }
    return true;
  }

  private boolean backward(ProgramInstruction in, int c, int j, int s) {
    if (in.op() == ProgramOp.BW) {
      mark(doneW, c, j);
    }
    return produce(doneB, c, j, "grad", c - 1, s);
  }

  /** Marks a pass done and puts its output where the consumer chunk will find it. */
  private boolean produce(boolean[] done, int c, int j, String kind, int consumer, int s) {
    mark(done, c, j);
    if (consumer >= 0 && consumer < programs.chunks()) {
      int target = programs.placement().stageOf(consumer);
      (target == s ? local : outbox).add(tensor(kind, consumer, j, target));
    }
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
