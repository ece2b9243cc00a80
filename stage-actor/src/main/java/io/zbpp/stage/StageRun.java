package io.zbpp.stage;

import io.zbpp.gpu.optim.GradientClipping;
import io.zbpp.gpu.pipeline.HostTensor;
import io.zbpp.protocol.msg.OptimizerOptions;
import io.zbpp.protocol.msg.OptimizerOptions.Check;
import io.zbpp.protocol.msg.OptimizerState;
import io.zbpp.protocol.msg.Dataflow;
import io.zbpp.protocol.msg.IterationReport;
import io.zbpp.protocol.msg.JobEpoch;
import io.zbpp.protocol.msg.LossRecord;
import io.zbpp.protocol.msg.PassClock;
import io.zbpp.protocol.msg.PassRecord;
import io.zbpp.protocol.msg.ProgramInstruction;
import io.zbpp.protocol.msg.ProgramOp;
import io.zbpp.protocol.msg.StageProgram;
import io.zbpp.protocol.msg.TensorKey;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The interpreter state of one stage's loaded program: where it is in the current iteration, the tensors
 * received or handed over locally (the inbox, keyed by iteration so that early arrivals for a later
 * iteration wait there), the outputs waiting for their SEND (the outbox), and what this iteration ran.
 * Plain and single-threaded: the stage actor owns it; no compute runs here.
 *
 * <p>Routing follows the dataflow table ({@link Dataflow}): an output whose consumer chunk is on this stage
 * goes straight to the inbox, otherwise to the outbox until the program's SEND takes it.
 */
final class StageRun {
  private final int stage;
  private StageProgram program;
  private final Dataflow flow;
  private final Map<TensorKey, HostTensor> inbox = new HashMap<>();
  private final Map<TensorKey, HostTensor> outbox = new HashMap<>();
  private final OptimizerOptions options;
  private final Map<String, OptimizerState> states = new HashMap<>();
  private final java.util.Set<String> consumed = new java.util.HashSet<>();
  private final java.util.Set<Integer> rejectedBySelf = new java.util.HashSet<>();
  private int validation;
  /** The program index after the last VALIDATE (−1 without one) and of the first STEP (size without one). */
  private int validated;
  private int firstStep;
  private int iteration = -1;
  private int attempt;
  private int pc;
  private boolean running;
  private List<PassRecord> passes = new ArrayList<>();
  private List<LossRecord> losses = new ArrayList<>();
  private long peakBytes;

  StageRun(int stage, StageProgram program, List<Integer> chunkStage) {
    this(stage, program, chunkStage, OptimizerOptions.none());
  }

  StageRun(int stage, StageProgram program, List<Integer> chunkStage, OptimizerOptions options) {
    this.stage = stage;
    this.program = program;
    this.flow = new Dataflow(chunkStage);
    this.options = options;
    this.validation = validationStart(program, options);
    settleBounds();
  }

  /** {@link #validated} and {@link #firstStep} of the program. */
  private void settleBounds() {
    validated = -1;
    firstStep = program.size();
    for (int k = 0; k < program.size(); k++) {
      validated = program.get(k).op() == ProgramOp.VALIDATE ? k + 1 : validated;
      firstStep = program.get(k).op() == ProgramOp.STEP ? Math.min(firstStep, k) : firstStep;
    }
  }

  /**
   * Whether this iteration's VALIDATE ops all ran (the previous iteration's step is final) and this iteration's
   * STEP did not run yet: parameters and optimizer state are the previous step's, settled.
   */
  boolean pastValidation() {
    return validated >= 0 && running() && pc >= validated && pc <= firstStep;
  }

  /**
   * A resumed job continues at iteration {@code it} from a checkpoint whose steps are final: the previous
   * iteration's full state will never come and is not needed.
   */
  void resumeAt(int it) {
    consumed.add(stateKey(it - 1, true));
  }

  /** Where the validation ops start (the first VALIDATE, or RECV_FULL under post-validation); −1: none. */
  private static int validationStart(StageProgram program, OptimizerOptions options) {
    for (int k = 0; k < program.size(); k++) {
      ProgramOp op = program.get(k).op();
      if (op == ProgramOp.VALIDATE || op == ProgramOp.RECV_FULL && options.check() == Check.POST_VALIDATION) {
        return k;
      }
    }
    return -1;
  }

  StageProgram program() {
    return program;
  }

  /**
   * Runs {@code next} from the next iteration on (re-planning). Everything that outlives an iteration stays:
   * early tensors in the inbox, optimizer states, what post-validation consumed or rejected.
   *
   * @throws IllegalStateException while an iteration runs
   */
  void swap(StageProgram next) {
    if (running && pc < program.size()) {
      throw new IllegalStateException("iteration " + iteration + " is still running");
    }
    program = next;
    validation = validationStart(next, options);
    settleBounds();
    running = false; // the old program's end is not the new one's: nothing runs until the next begin
  }

  /** Starts iteration {@code it} at the first op of the program. */
  void begin(int it) {
    iteration = it;
    attempt = 0;
    inbox.keySet().removeIf(k -> k.iteration() < it);
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

  /** 0, or 1 once post-validation rejected the previous step and this iteration runs again. */
  int attempt() {
    return attempt;
  }

  /**
   * Post-validation: the previous iteration's full state is known here and rejects its step, but this stage is
   * still in the speculative part of attempt 0 — so it goes straight to the validation ops (what it skips would
   * be redone anyway, and a speculative input it waits for may never come: its sender may already have
   * restarted). Called by the actor before taking ops.
   */
  void skipToValidationIfRejected() {
    if (validation < 0 || attempt > 0 || !running() || pc >= validation) {
      return;
    }
    int prev = iteration - 1;
    OptimizerState f = states.get(stateKey(prev, true));
    boolean rejected = rejectedBySelf.contains(prev) || f != null && GradientClipping.verdict(
        sum(f.normSquared()), options.clipNorm()) != GradientClipping.Verdict.STEP;
    if (rejected) {
      pc = validation;
    }
  }

  private static double sum(Map<Integer, Double> perChunk) {
    return GradientClipping.globalNormSquared(
        new java.util.TreeMap<>(perChunk).values().stream().mapToDouble(Double::doubleValue).toArray());
  }

  /** Starts this iteration again as attempt 1 (the validation rejected the step its attempt 0 used). */
  void restart() {
    attempt = 1;
    pc = 0;
    losses = new ArrayList<>();
    outbox.keySet().removeIf(k -> k.iteration() == iteration);
    inbox.keySet().removeIf(k -> k.iteration() == iteration && k.attempt() < attempt);
  }

  /** Takes the full state of iteration {@code it} if it arrived (the final validation), else null. */
  OptimizerState takeFullState(int it) {
    String key = stateKey(it, true);
    OptimizerState s = states.remove(key);
    if (s != null) {
      consumed.add(key);
    }
    return s;
  }

  /** An optimizer state arrived (any iteration); a duplicate or one already used is dropped. */
  void offerState(OptimizerState s) {
    String key = stateKey(s.iteration(), s.full());
    if (!consumed.contains(key)) {
      states.put(key, s);
    }
  }

  private static String stateKey(int it, boolean full) {
    return (full ? "full " : "partial ") + it;
  }

  /** The iteration whose full state RECV_FULL takes: this one (SYNC) or the previous (POST_VALIDATION). */
  int fullStateIteration() {
    return options.check() == Check.POST_VALIDATION ? iteration - 1 : iteration;
  }

  /** Whether RECV_PARTIAL / RECV_FULL can pass; a RECV_FULL of a state consumed before a restart passes. */
  private boolean stateReady(ProgramInstruction in) {
    boolean full = in.op() == ProgramOp.RECV_FULL;
    int it = full ? fullStateIteration() : iteration;
    String key = stateKey(it, full);
    return it < 0 || states.containsKey(key) || consumed.contains(key);
  }

  private OptimizerState takeState(ProgramInstruction in) {
    boolean full = in.op() == ProgramOp.RECV_FULL;
    String key = stateKey(full ? fullStateIteration() : iteration, full);
    consumed.add(key);
    return states.remove(key);
  }

  int pc() {
    return pc;
  }

  ProgramInstruction current() {
    return program.get(pc);
  }

  /** The tensor a SEND or RECV moves, in this iteration and attempt. */
  TensorKey moved(ProgramInstruction in) {
    return flow.moved(in, iteration).inAttempt(attempt);
  }

  /** The tensor a compute pass reads from the inbox, if any. */
  private Optional<TensorKey> input(ProgramInstruction in) {
    return flow.input(in, iteration).map(k -> k.inAttempt(attempt));
  }

  /**
   * One op handed to the executor: a compute op with its input, a SEND with the tensor (already produced, or
   * null when an earlier op of the same batch produces it) and its target, or a RECV whose tensor is here.
   *
   * @param key for SEND the tensor it sends; for F/B/BW the tensor it produces for another chunk, else null
   */
  record Step(ProgramInstruction in, HostTensor input, HostTensor ready, TensorKey key, int target,
      OptimizerState state) {
    Step(ProgramInstruction in, HostTensor input, HostTensor ready, TensorKey key, int target) {
      this(in, input, ready, key, target, null);
    }
  }

  /**
   * Takes the ops from the current one on that can run without waiting, in order: compute ops whose input is
   * here (a RECV before them passed, or a local pass produced it), SENDs of outputs produced earlier or in the
   * batch, RECVs whose tensor arrived. Empty when the current op waits for a tensor. Takes the inputs out of
   * the inbox; {@link #apply} accounts for the results.
   */
  List<Step> takeRunnable() {
    return takeRunnable(program.size());
  }

  /** As {@link #takeRunnable()}, stopping before program index {@code limit}. */
  List<Step> takeRunnable(int limit) {
    List<Step> steps = new ArrayList<>();
    java.util.Set<TensorKey> produced = new java.util.HashSet<>();
    for (int k = pc; k < Math.min(limit, program.size()); k++) {
      ProgramInstruction in = program.get(k);
      Step s = switch (in.op()) {
        case F, B, W, BW, LOSS, STEP -> hasInput(in) ? new Step(in, takeInput(in), null, outputKey(in), -1) : null;
        case SEND_F, SEND_B -> produced.contains(moved(in)) || outbox.containsKey(moved(in))
            ? new Step(in, null, outbox.remove(moved(in)), moved(in), flow.peerStage(in)) : null;
        case RECV_F, RECV_B -> received(in) ? new Step(in, null, null, null, -1) : null;
        case NORM, SEND_PARTIAL, SEND_FULL, VALIDATE -> new Step(in, null, null, null, -1);
        case RECV_PARTIAL, RECV_FULL -> stateReady(in) ? new Step(in, null, null, null, -1, takeState(in)) : null;
      };
      if (s == null) {
        break;
      }
      if (s.key() != null) {
        produced.add(s.key());
      }
      steps.add(s);
      if (in.op() == ProgramOp.VALIDATE) {
        break; // a rejection restarts the iteration: nothing after it may run in the same batch
      }
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
        case F, B, W, BW, LOSS, STEP, NORM -> complete(results.get(i));
        case SEND_F, SEND_B -> {
          outbox.remove(moved(in));
          advance();
        }
        case RECV_F, RECV_B, SEND_PARTIAL, RECV_PARTIAL, RECV_FULL -> advance();
        case SEND_FULL -> {
          if (results.get(i).rejected()) {
            rejectedBySelf.add(iteration);
          }
          advance();
        }
        case VALIDATE -> {
          boolean restart = results.get(i).rejected() && attempt == 0;
          complete(results.get(i));
          if (restart) {
            restart();
          }
        }
      }
    }
  }

  /** The tensor F or B/BW produces for a chunk on another stage, or null. */
  private TensorKey outputKey(ProgramInstruction in) {
    return output(in).filter(k -> flow.consumerStage(k) != stage).orElse(null);
  }

  private Optional<TensorKey> output(ProgramInstruction in) {
    return flow.output(in, iteration).map(k -> k.inAttempt(attempt));
  }

  private boolean hasInput(ProgramInstruction in) {
    return input(in).map(inbox::containsKey).orElse(true);
  }

  /** A RECV may pass once its tensor is in the inbox. */
  boolean received(ProgramInstruction recv) {
    return inbox.containsKey(moved(recv));
  }

  /** The input of a compute pass: null for F on chunk 0, B on the last chunk, W, LOSS and STEP. */
  HostTensor takeInput(ProgramInstruction in) {
    return input(in).map(k -> {
      HostTensor t = inbox.remove(k);
      if (t == null) {
        throw new IllegalStateException(in + " has no input " + k + " (a RECV or local pass is missing)");
      }
      return t;
    }).orElse(null);
  }

  /** A tensor arrived (any iteration); it waits in the inbox for its RECV. */
  void offer(TensorKey key, HostTensor t) {
    boolean stale = key.iteration() < iteration || key.iteration() == iteration && key.attempt() < attempt;
    if (!stale) {
      inbox.put(key, t);
    }
  }

  /** The current op completed: records it, routes its output and moves on. */
  void complete(Computed done) {
    ProgramInstruction in = current();
    if (in.op().isCompute()) {
      passes.add(new PassRecord(in.op(), in.microbatch(), in.chunk(), PassClock.of(done.startNanos()),
          PassClock.of(done.endNanos()), done.cpuNanos()));
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
    TensorKey key = output(in).orElseThrow(() -> new IllegalStateException(in + " hands no tensor on"));
    (flow.consumerStage(key) == stage ? inbox : outbox).put(key, out);
  }

  /**
   * The report of the iteration that just finished, with what {@code optimizer} did to the step it settled
   * (this iteration's, or under post-validation the previous one's); the run then waits for the next
   * {@link #begin}.
   */
  IterationReport report(JobEpoch job, StageOptimizer optimizer) {
    running = false;
    int settled = options.check() == Check.POST_VALIDATION ? iteration - 1 : iteration;
    return new IterationReport(job, stage, iteration, passes, losses, peakBytes, settled,
        optimizer.rollbacks(settled), optimizer.skipped(settled));
  }

  /** Optimizer states waiting for their RECV (tests: duplicates and used ones are not kept). */
  int bufferedStates() {
    return states.size();
  }

  /** Tensors waiting in the inbox (tests: early messages are buffered). */
  int buffered() {
    return inbox.size();
  }
}
