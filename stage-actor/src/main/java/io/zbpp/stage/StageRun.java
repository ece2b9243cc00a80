package io.zbpp.stage;

import io.zbpp.gpu.pipeline.HostTensor;
import io.zbpp.protocol.msg.IterationReport;
import io.zbpp.protocol.msg.JobEpoch;
import io.zbpp.protocol.msg.LossRecord;
import io.zbpp.protocol.msg.PassRecord;
import io.zbpp.protocol.msg.ProgramInstruction;
import io.zbpp.protocol.msg.ProgramOp;
import io.zbpp.protocol.msg.StageProgram;
import io.zbpp.protocol.msg.TensorKey;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The interpreter state of one stage's loaded program: where it is in the current iteration, the tensors
 * received or handed over locally (the inbox, keyed by iteration so that early arrivals for a later
 * iteration wait there), the outputs waiting for their SEND (the outbox), and what this iteration ran.
 * Plain and single-threaded: the stage actor owns it; no compute runs here.
 *
 * <p>Routing: F(c, j) produces the input of chunk c+1, B/BW(c, j) the output gradient of chunk c−1; an
 * output whose consumer chunk is on this stage goes straight to the inbox, otherwise to the outbox until
 * the program's SEND takes it.
 */
final class StageRun {
  private final int stage;
  private final StageProgram program;
  private final List<Integer> chunkStage;
  private final Map<TensorKey, HostTensor> inbox = new HashMap<>();
  private final Map<TensorKey, HostTensor> outbox = new HashMap<>();
  private int iteration = -1;
  private int pc;
  private boolean running;
  private List<PassRecord> passes = new ArrayList<>();
  private List<LossRecord> losses = new ArrayList<>();
  private long peakBytes;

  StageRun(int stage, StageProgram program, List<Integer> chunkStage) {
    this.stage = stage;
    this.program = program;
    this.chunkStage = List.copyOf(chunkStage);
  }

  StageProgram program() {
    return program;
  }

  /** Starts iteration {@code it} at the first op of the program. */
  void begin(int it) {
    iteration = it;
    pc = 0;
    running = true;
    passes = new ArrayList<>();
    losses = new ArrayList<>();
    peakBytes = 0;
  }

  boolean running() {
    return running && pc < program.size();
  }

  /** Whether the iteration just ran its last op (true once, until the next {@link #begin}). */
  boolean finished() {
    return running && pc == program.size();
  }

  int iteration() {
    return iteration;
  }

  int pc() {
    return pc;
  }

  ProgramInstruction current() {
    return program.get(pc);
  }

  /** The tensor a SEND or RECV moves, or the one a compute pass reads. */
  TensorKey keyOf(ProgramInstruction in) {
    int c = in.chunk();
    int j = in.microbatch();
    return switch (in.op()) {
      case SEND_F -> TensorKey.activation(iteration, j, c + 1);
      case SEND_B -> TensorKey.gradient(iteration, j, c - 1);
      case RECV_F, F -> TensorKey.activation(iteration, j, c);
      case RECV_B, B, BW -> TensorKey.gradient(iteration, j, c);
      case W, LOSS, STEP -> throw new IllegalArgumentException(in + " moves no tensor");
    };
  }

  /**
   * One op handed to the executor: a compute op with its input, a SEND with the tensor (already produced, or
   * null when an earlier op of the same batch produces it) and its target, or a RECV whose tensor is here.
   *
   * @param key for SEND the tensor it sends; for F/B/BW the tensor it produces for another chunk, else null
   */
  record Step(ProgramInstruction in, HostTensor input, HostTensor ready, TensorKey key, int target) {}

  /**
   * Takes the ops from the current one on that can run without waiting, in order: compute ops whose input is
   * here (a RECV before them passed, or a local pass produced it), SENDs of outputs produced earlier or in the
   * batch, RECVs whose tensor arrived. Empty when the current op waits for a tensor. Takes the inputs out of
   * the inbox; {@link #apply} accounts for the results.
   */
  List<Step> takeRunnable() {
    List<Step> steps = new ArrayList<>();
    java.util.Set<TensorKey> produced = new java.util.HashSet<>();
    for (int k = pc; k < program.size(); k++) {
      ProgramInstruction in = program.get(k);
      Step s = switch (in.op()) {
        case F, B, W, BW, LOSS, STEP -> hasInput(in) ? new Step(in, takeInput(in), null, outputKey(in), -1) : null;
        case SEND_F, SEND_B -> produced.contains(keyOf(in)) || outbox.containsKey(keyOf(in))
            ? new Step(in, null, outbox.remove(keyOf(in)), keyOf(in), target(in)) : null;
        case RECV_F, RECV_B -> received(in) ? new Step(in, null, null, null, -1) : null;
      };
      if (s == null) {
        break;
      }
      if (s.key() != null) {
        produced.add(s.key());
      }
      steps.add(s);
    }
    return steps;
  }

  /** Accounts for a batch that ran: records and routes each compute result, drops what the SENDs sent. */
  void apply(List<Step> steps, List<Computed> results) {
    for (int i = 0; i < steps.size(); i++) {
      ProgramInstruction in = steps.get(i).in();
      if (!in.equals(current())) {
        throw new IllegalStateException("batch op " + in + " is not the current op " + current());
      }
      switch (in.op()) {
        case F, B, W, BW, LOSS, STEP -> complete(results.get(i));
        case SEND_F, SEND_B -> {
          outbox.remove(keyOf(in));
          advance();
        }
        case RECV_F, RECV_B -> advance();
      }
    }
  }

  /** The tensor F or B/BW produces for a chunk on another stage, or null. */
  private TensorKey outputKey(ProgramInstruction in) {
    int c = in.chunk();
    int consumer = in.op() == ProgramOp.F ? c + 1 : c - 1;
    boolean produces = (in.op() == ProgramOp.F || in.op() == ProgramOp.B || in.op() == ProgramOp.BW)
        && consumer >= 0 && consumer < chunkStage.size() && chunkStage.get(consumer) != stage;
    if (!produces) {
      return null;
    }
    return in.op() == ProgramOp.F ? TensorKey.activation(iteration, in.microbatch(), consumer)
        : TensorKey.gradient(iteration, in.microbatch(), consumer);
  }

  private boolean hasInput(ProgramInstruction in) {
    return !needsInput(in) || inbox.containsKey(keyOf(in));
  }

  private boolean needsInput(ProgramInstruction in) {
    return switch (in.op()) {
      case F -> in.chunk() > 0;
      case B, BW -> in.chunk() < chunkStage.size() - 1;
      case W, LOSS, STEP, SEND_F, SEND_B, RECV_F, RECV_B -> false;
    };
  }

  /** A RECV may pass once its tensor is in the inbox. */
  boolean received(ProgramInstruction recv) {
    return inbox.containsKey(keyOf(recv));
  }

  /** The input of a compute pass: null for F on chunk 0, B on the last chunk, W, LOSS and STEP. */
  HostTensor takeInput(ProgramInstruction in) {
    if (!needsInput(in)) {
      return null;
    }
    HostTensor t = inbox.remove(keyOf(in));
    if (t == null) {
      throw new IllegalStateException(in + " has no input " + keyOf(in) + " (a RECV or local pass is missing)");
    }
    return t;
  }

  /** The stage a SEND goes to. */
  int target(ProgramInstruction send) {
    return chunkStage.get(keyOf(send).chunk());
  }

  /** A tensor arrived (any iteration); it waits in the inbox for its RECV. */
  void offer(TensorKey key, HostTensor t) {
    inbox.put(key, t);
  }

  /** The current op completed: records it, routes its output and moves on. */
  void complete(Computed done) {
    ProgramInstruction in = current();
    if (in.op().isCompute()) {
      passes.add(new PassRecord(in.op(), in.microbatch(), in.chunk(), done.startNanos(), done.endNanos()));
    }
    if (in.op() == ProgramOp.LOSS) {
      losses.add(new LossRecord(in.microbatch(), done.loss()));
    }
    peakBytes = Math.max(peakBytes, done.bytesHeld());
    if (done.output() != null) {
      route(in, done.output());
    }
    pc++;
  }

  /** A SEND or RECV op is done. */
  void advance() {
    pc++;
  }

  private void route(ProgramInstruction in, HostTensor out) {
    int consumer = in.op() == ProgramOp.F ? in.chunk() + 1 : in.chunk() - 1;
    TensorKey key = in.op() == ProgramOp.F ? TensorKey.activation(iteration, in.microbatch(), consumer)
        : TensorKey.gradient(iteration, in.microbatch(), consumer);
    (chunkStage.get(consumer) == stage ? inbox : outbox).put(key, out);
  }

  /** The report of the iteration that just finished; the run then waits for the next {@link #begin}. */
  IterationReport report(JobEpoch job) {
    running = false;
    return new IterationReport(job, stage, iteration, passes, losses, peakBytes);
  }

  /** Tensors waiting in the inbox (tests: early messages are buffered). */
  int buffered() {
    return inbox.size();
  }
}
