package io.zbpp.gpu.pipeline;

import io.zbpp.gpu.data.Corpus;
import io.zbpp.gpu.data.DataLoader;
import io.zbpp.gpu.device.Buf;
import io.zbpp.gpu.device.Device;
import io.zbpp.gpu.model.GptChunk;
import io.zbpp.gpu.model.GptModel;
import io.zbpp.gpu.nn.Param;
import io.zbpp.gpu.optim.AdamW;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The {@link ChunkRunner} of a real model chunk (cpu or cuda backend): host tensors in and out, a
 * {@link GptChunk} on a {@link Device}, the deterministic loader for tokens (first chunk) and targets (last
 * chunk), and AdamW. Activations crossing chunks are x[b,T,C] / dx[b,T,C].
 */
final class ModelChunkRunner implements ChunkRunner {
  private final RunnerSpec spec;
  private final GptChunk chunk;
  private final Device d;
  private final AdamW optimizer;
  private final DataLoader loader;

  ModelChunkRunner(RunnerSpec spec, int chunkIndex, Device d) {
    this.spec = spec;
    this.d = d;
    this.chunk = new GptModel(spec.model(), spec.partition()).chunk(d, chunkIndex, spec.seed());
    this.optimizer = new AdamW(d, chunk.params(), spec.optimizer());
    this.loader = new DataLoader(Corpus.bundled(), spec.microbatchSize(), spec.model().seqLen(),
        spec.microbatches(), spec.dataSeed());
  }

  @Override
  public int chunk() {
    return chunk.chunk();
  }

  @Override
  public HostTensor forward(int iteration, int microbatch, HostTensor input) {
    checkMicrobatch(microbatch);
    DataLoader.Batch batch = chunk.isFirst() || chunk.isLast() ? loader.batch(iteration, microbatch) : null;
    Buf x;
    if (chunk.isFirst()) {
      x = d.upload(batch.inputs()); // the contract: chunk 0 ignores input and reads the loader
    } else {
      x = d.upload(checkActivation(input, "input").data());
    }
    Buf targets = chunk.isLast() ? d.upload(batch.targets()) : null;
    Buf y = chunk.forward(microbatch, x, targets, spec.microbatchSize());
    return y == null ? null : toHost(y);
  }

  @Override
  public HostTensor backwardInput(int microbatch, HostTensor gradOutput) {
    checkMicrobatch(microbatch);
    Buf dout = null;
    if (!chunk.isLast()) { // the last chunk ignores gradOutput and starts from its loss
      dout = d.upload(checkActivation(gradOutput, "gradOutput").data());
    }
    float dloss = 1f / (spec.microbatchSize() * spec.model().seqLen() * spec.microbatches());
    Buf dx = chunk.backwardInput(microbatch, dout, dloss);
    return dx == null ? null : toHost(dx);
  }

  @Override
  public void backwardWeight(int microbatch) {
    checkMicrobatch(microbatch);
    chunk.backwardWeight(microbatch);
  }

  @Override
  public double loss(int microbatch) {
    return chunk.loss(microbatch);
  }

  @Override
  public void step(int iteration) {
    optimizer.step();
  }

  @Override
  public void stepScaled(int iteration, float gradScale) {
    optimizer.update(gradScale);
  }

  @Override
  public void zeroGradients() {
    optimizer.zeroGradients();
  }

  @Override
  public long keepForRollback(io.zbpp.gpu.optim.RollbackMode mode) {
    return optimizer.keepForRollback(mode);
  }

  @Override
  public void rollbackStep() {
    optimizer.rollback();
  }

  @Override
  public void discardForwards() {
    chunk.discardForwards();
  }

  @Override
  public void poisonGradients() {
    optimizer.poisonGradients();
  }

  @Override
  public double gradNormSquared() {
    return optimizer.gradNormSquared();
  }

  @Override
  public long bytesHeld() {
    return chunk.activationBytes();
  }

  @Override
  public ChunkCheckpoint checkpoint() {
    return optimizer.checkpoint();
  }

  @Override
  public void restore(ChunkCheckpoint state) {
    optimizer.restore(state);
  }

  @Override
  public List<float[]> parameters() {
    List<float[]> out = new ArrayList<>();
    for (Param p : chunk.params()) {
      out.add(d.download(p.value()));
    }
    return out;
  }

  /** Parameter names in model order (same order as {@link #parameters}). */
  List<String> parameterNames() {
    return chunk.params().stream().map(Param::name).toList();
  }

  @Override
  public void close() {
    chunk.close();
  }

  private HostTensor toHost(Buf b) {
    float[] data = d.download(b);
    d.free(b);
    return new HostTensor(activationShape(), data);
  }

  private int[] activationShape() {
    return new int[] {spec.microbatchSize(), spec.model().seqLen(), spec.model().hidden()};
  }

  private HostTensor checkActivation(HostTensor t, String what) {
    if (t == null) {
      throw new IllegalArgumentException("chunk " + chunk() + ": " + what + " must not be null");
    }
    if (!Arrays.equals(t.shape(), activationShape())) {
      throw new IllegalArgumentException("chunk " + chunk() + ": " + what + " shape " + Arrays.toString(t.shape())
          + ", expected " + Arrays.toString(activationShape()));
    }
    return t;
  }

  private void checkMicrobatch(int mb) {
    if (mb < 0 || mb >= spec.microbatches()) {
      throw new IllegalArgumentException(
          "microbatch [" + mb + "]: must be in 0…" + (spec.microbatches() - 1));
    }
  }
}
