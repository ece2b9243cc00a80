package io.zbpp.stage;

import io.zbpp.gpu.pipeline.ChunkCheckpoint;
import io.zbpp.gpu.pipeline.ChunkRunner;
import io.zbpp.gpu.pipeline.HostTensor;
import io.zbpp.protocol.msg.ChunkState;
import io.zbpp.protocol.msg.ParameterSha256;
import io.zbpp.protocol.msg.ProgramInstruction;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntFunction;

/**
 * The model chunks one stage holds, and the one table from program op to {@link ChunkRunner} call
 * (docs/design.md "Conventions": exhaustive dispatch). Every method runs on the stage's executor thread, never on the actor's dispatcher:
 * a ChunkRunner is driven from one thread at a time.
 */
final class ChunkSet implements AutoCloseable {
  private final Map<Integer, ChunkRunner> runners = new TreeMap<>();

  ChunkSet(List<Integer> chunks, IntFunction<ChunkRunner> factory) {
    for (int c : chunks) {
      ChunkRunner r = factory.apply(c);
      if (r.chunk() != c) {
        throw new IllegalStateException("the chunk factory built chunk " + r.chunk() + " when asked for " + c);
      }
      runners.put(c, r);
    }
  }

  List<Integer> chunks() {
    return List.copyOf(runners.keySet());
  }

  /** Runs one non-communication op and times it. */
  Computed run(ProgramInstruction in, int iteration, HostTensor input) {
    ChunkRunner r = runner(in.chunk());
    int j = in.microbatch();
    long cpuStart = ThreadCpu.nanos();
    long start = System.nanoTime();
    HostTensor out = null;
    double loss = Double.NaN;
    switch (in.op()) {
      case F -> out = r.forward(iteration, j, input);
      case B -> out = r.backwardInput(j, input);
      case W -> r.backwardWeight(j);
      case BW -> {
        out = r.backwardInput(j, input);
        r.backwardWeight(j);
      }
      case LOSS -> loss = r.loss(j);
      case SEND_F, SEND_B, RECV_F, RECV_B, STEP, NORM, SEND_PARTIAL, RECV_PARTIAL, SEND_FULL, RECV_FULL, VALIDATE ->
          throw new IllegalArgumentException(in + " is not a pass (optimizer ops run in StageOptimizer)");
    }
    long end = System.nanoTime();
    long cpu = cpuStart < 0 ? cpuStart : ThreadCpu.nanos() - cpuStart;
    return new Computed(out, loss, start, end, bytesHeld(), false, cpu);
  }

  long bytesHeld() {
    long b = 0;
    for (ChunkRunner r : runners.values()) {
      b += r.bytesHeld();
    }
    return b;
  }

  /** Every chunk's parameters, by chunk, in model order. */
  Map<Integer, List<float[]>> parameters() {
    Map<Integer, List<float[]>> out = new TreeMap<>();
    runners.forEach((c, r) -> out.put(c, r.parameters()));
    return out;
  }

  /** Per chunk, the hex of its parameter tensors' SHA-256s in model order (this stage's shard of the digest). */
  Map<Integer, String> digests() {
    Map<Integer, String> out = new TreeMap<>();
    runners.forEach((c, r) -> out.put(c, ParameterSha256.tensors(r.parameters())));
    return out;
  }

  /** Every chunk's trainable state, in chunk order. */
  List<ChunkState> snapshot() {
    List<ChunkState> out = new ArrayList<>();
    runners.forEach((c, r) -> {
      ChunkCheckpoint k = r.checkpoint();
      out.add(new ChunkState(c, k.steps(), k.parameters(), k.firstMoments(), k.secondMoments()));
    });
    return out;
  }

  /** Overwrites the state of the chunks in {@code states}; each must be held here. */
  void restore(List<ChunkState> states) {
    for (ChunkState s : states) {
      runner(s.chunk()).restore(new ChunkCheckpoint(s.steps(), s.parameters(), s.firstMoments(),
          s.secondMoments()));
    }
  }

  /** Forgets the speculative forwards of every chunk (post-validation rejected the step they used). */
  void discardForwards() {
    runners.values().forEach(ChunkRunner::discardForwards);
  }

  ChunkRunner runner(int chunk) {
    ChunkRunner r = runners.get(chunk);
    if (r == null) {
      throw new IllegalArgumentException("chunk " + chunk + " is not held here; held: " + runners.keySet());
    }
    return r;
  }

  @Override
  public void close() {
    runners.values().forEach(ChunkRunner::close);
  }
}
