package io.zbpp.gpu.model;

import io.zbpp.gpu.device.Buf;
import io.zbpp.gpu.device.Device;
import io.zbpp.gpu.nn.Embedding;
import io.zbpp.gpu.nn.GptBlock;
import io.zbpp.gpu.nn.LayerNorm;
import io.zbpp.gpu.nn.LmHead;
import io.zbpp.gpu.nn.Param;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One model chunk on one device: the embedding if it is the first chunk, its blocks, and the final norm, head
 * and loss if it is the last. Runs F, B and W per microbatch over device buffers and keeps, per microbatch in
 * flight, exactly what the next pass needs ({@link MbState}); {@link #activationBytes} reports that.
 */
public final class GptChunk implements AutoCloseable {
  private final Device d;
  private final GptConfig cfg;
  private final int chunk;
  private final boolean first;
  private final boolean last;
  private final List<Param> params = new ArrayList<>();
  private final Embedding embedding;
  private final List<GptBlock> blocks = new ArrayList<>();
  private final LayerNorm lnf;
  private final LmHead head;
  private final long paramBytes;
  private final Map<Integer, MbState> inFlight = new HashMap<>();
  private final Map<Integer, Double> losses = new HashMap<>();

  /** Per-microbatch buffers between passes; fields are null when not (or no longer) held. */
  private static final class MbState {
    int B;
    Buf tokens;
    Buf targets;
    GptBlock.Acts[] acts;
    GptBlock.WStash[] stashes;
    Buf dEmb;
    Buf lnfIn;
    LayerNorm.Out lnf;
    Buf probs;
    Buf dLnf;
    Buf dlogits;
    boolean backwardDone;
  }

  /** Builds chunk {@code chunk} of {@code partition}, parameters from (seed, global layer index). */
  public GptChunk(Device d, GptConfig cfg, Partition partition, int chunk, long seed) {
    this.d = d;
    this.cfg = cfg;
    this.chunk = chunk;
    this.first = chunk == 0;
    this.last = chunk == partition.chunks() - 1;
    int C = cfg.hidden();
    if (first) {
      List<Param> e = GptInit.embedding(d, cfg, seed);
      params.addAll(e);
      embedding = new Embedding(d, e.get(0), e.get(1), C);
    } else {
      embedding = null;
    }
    for (int i = 0; i < partition.blocks().get(chunk); i++) {
      List<Param> p = GptInit.block(d, cfg, seed, partition.first(chunk) + i);
      params.addAll(p);
      blocks.add(new GptBlock(d, p, C, cfg.heads()));
    }
    if (last) {
      List<Param> h = GptInit.head(d, cfg, seed);
      params.addAll(h);
      lnf = new LayerNorm(d, h.get(0), h.get(1), C);
      head = new LmHead(d, h.get(2), C, cfg.vocab());
    } else {
      lnf = null;
      head = null;
    }
    paramBytes = d.bytesInUse();
  }

  public int chunk() {
    return chunk;
  }

  public boolean isFirst() {
    return first;
  }

  public boolean isLast() {
    return last;
  }

  public Device device() {
    return d;
  }

  /** Parameters in model order (device-resident; values, gradients and moments). */
  public List<Param> params() {
    return List.copyOf(params);
  }

  /**
   * Forgets every microbatch in flight whose backward has not started (post-validation redoes those forwards
   * after a rollback). Their buffers are not returned to the device pool (a rare path: a rejected step).
   */
  public void discardForwards() {
    inFlight.values().removeIf(s -> s.stashes == null && !s.backwardDone);
  }

  /** Bytes of activations and stashes held for microbatches in flight (excludes parameters and moments). */
  public long activationBytes() {
    return d.bytesInUse() - paramBytes;
  }

  /**
   * F. {@code input} is tokens[B,T] on the first chunk, x[B,T,C] otherwise (ownership passes to the chunk);
   * {@code targets[B,T]} is needed on the last chunk only. Returns a new y[B,T,C], or null on the last chunk.
   */
  public Buf forward(int mb, Buf input, Buf targets, int B) {
    if (inFlight.containsKey(mb)) {
      throw new IllegalStateException("chunk " + chunk + " microbatch " + mb + ": forward ran twice before W");
    }
    MbState s = new MbState();
    s.B = B;
    inFlight.put(mb, s);
    int T = cfg.seqLen();
    Buf x = input;
    if (first) {
      s.tokens = input;
      x = embedding.forward(input, B, T);
    }
    s.acts = new GptBlock.Acts[blocks.size()];
    for (int i = 0; i < blocks.size(); i++) {
      GptBlock.Acts[] out = new GptBlock.Acts[1];
      x = blocks.get(i).forward(x, B, T, out);
      s.acts[i] = out[0];
    }
    if (!last) {
      return x;
    }
    s.targets = targets;
    s.lnfIn = x;
    s.lnf = lnf.forward(x, B * T);
    LmHead.Out o = head.forward(s.lnf.out(), targets, B * T);
    s.probs = o.probs();
    double sum = 0;
    for (float l : o.losses()) {
      sum += l;
    }
    losses.put(mb, sum / o.losses().length);
    return null;
  }

  /**
   * B. {@code dout[B,T,C]} (ownership passes to the chunk) or null on the last chunk, which starts from its
   * loss with gradient {@code dloss} per position. Returns a new dx[B,T,C], or null on the first chunk.
   */
  public Buf backwardInput(int mb, Buf dout, float dloss) {
    MbState s = state(mb, "backwardInput");
    if (s.backwardDone) {
      throw new IllegalStateException("chunk " + chunk + " microbatch " + mb + ": backwardInput ran twice");
    }
    int N = s.B * cfg.seqLen();
    Buf g = dout;
    if (last) {
      LmHead.Grads hg = head.backwardInput(s.probs, s.targets, dloss, N);
      d.free(s.probs);
      d.free(s.targets);
      s.probs = null;
      s.dlogits = hg.dlogits();
      s.dLnf = hg.dx();
      g = d.alloc(N * cfg.hidden());
      lnf.backwardInput(g, s.dLnf, s.lnfIn, s.lnf, N);
      // The final norm's parameter gradients are cheap: take them now and keep only what the head's W needs.
      lnf.backwardWeight(s.dLnf, s.lnfIn, s.lnf, N);
      d.free(s.dLnf);
      d.free(s.lnfIn);
      s.dLnf = null;
      s.lnfIn = null;
    }
    s.stashes = new GptBlock.WStash[blocks.size()];
    for (int i = blocks.size() - 1; i >= 0; i--) {
      GptBlock.BResult r = blocks.get(i).backwardInput(s.acts[i], g, s.B, cfg.seqLen());
      s.stashes[i] = r.stash();
      g = r.dx();
    }
    s.acts = null;
    s.backwardDone = true;
    if (first) {
      s.dEmb = g;
      return null;
    }
    return g;
  }

  /** W: accumulates this chunk's parameter gradients for microbatch mb and frees what B stashed. */
  public void backwardWeight(int mb) {
    MbState s = state(mb, "backwardWeight");
    if (!s.backwardDone) {
      throw new IllegalStateException(
          "chunk " + chunk + " microbatch " + mb + ": backwardWeight before backwardInput");
    }
    int N = s.B * cfg.seqLen();
    if (last) {
      head.backwardWeight(s.dlogits, s.lnf.out(), N);
      d.free(s.dlogits);
      lnf.free(s.lnf);
    }
    for (int i = blocks.size() - 1; i >= 0; i--) {
      blocks.get(i).backwardWeight(s.stashes[i], s.B, cfg.seqLen());
    }
    if (first) {
      embedding.backwardWeight(s.dEmb, s.tokens, s.B, cfg.seqLen());
      d.free(s.dEmb);
      d.free(s.tokens);
    }
    inFlight.remove(mb);
  }

  /** The mean loss of microbatch mb's latest forward (last chunk only). */
  public double loss(int mb) {
    if (!last) {
      throw new IllegalStateException("chunk " + chunk + " is not the last chunk: it has no loss");
    }
    Double l = losses.get(mb);
    if (l == null) {
      throw new IllegalStateException("chunk " + chunk + " microbatch " + mb + ": loss before its forward");
    }
    return l;
  }

  private MbState state(int mb, String pass) {
    MbState s = inFlight.get(mb);
    if (s == null) {
      throw new IllegalStateException(
          "chunk " + chunk + " microbatch " + mb + ": " + pass + " without a forward in flight");
    }
    return s;
  }

  @Override
  public void close() {
    d.close();
  }
}
