package io.zbpp.gpu.model;

import io.zbpp.gpu.device.Device;
import io.zbpp.gpu.nn.Param;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Parameter initialisation from (seed, global layer index) only, so that a model split into any number of
 * chunks starts identical. Global layer indices: 0 the embedding, 1…L the blocks, L+1 the final norm and head.
 * GPT-2's scheme: weights N(0, 0.02), residual projections N(0, 0.02/√(2L)), biases 0, norms (1, 0).
 */
public final class GptInit {
  /** Names of a block's twelve parameters, in model order. */
  public static final List<String> BLOCK_PARAM_NAMES = List.of("ln1.weight", "ln1.bias", "attn.qkv.weight",
      "attn.qkv.bias", "attn.proj.weight", "attn.proj.bias", "ln2.weight", "ln2.bias", "mlp.fc.weight",
      "mlp.fc.bias", "mlp.proj.weight", "mlp.proj.bias");

  private static final float STD = 0.02f;

  private GptInit() {}

  /** wte[Vp,C], wpe[T,C]. */
  public static List<Param> embedding(Device d, GptConfig c, long seed) {
    Random r = rng(seed, 0);
    List<Param> p = new ArrayList<>();
    p.add(Param.create(d, "wte", new int[] {c.vocab(), c.hidden()}, true,
        normal(r, c.vocab() * c.hidden(), STD)));
    p.add(Param.create(d, "wpe", new int[] {c.seqLen(), c.hidden()}, true,
        normal(r, c.seqLen() * c.hidden(), STD)));
    return p;
  }

  /** Block {@code block} (0-based global block index), parameters in {@link #BLOCK_PARAM_NAMES} order. */
  public static List<Param> block(Device d, GptConfig c, long seed, int block) {
    Random r = rng(seed, block + 1);
    int C = c.hidden();
    float projStd = (float) (STD / Math.sqrt(2.0 * c.layers()));
    String h = "h" + block + ".";
    List<Param> p = new ArrayList<>();
    p.add(Param.create(d, h + "ln1.weight", new int[] {C}, false, ones(C)));
    p.add(Param.create(d, h + "ln1.bias", new int[] {C}, false, new float[C]));
    p.add(Param.create(d, h + "attn.qkv.weight", new int[] {3 * C, C}, true, normal(r, 3 * C * C, STD)));
    p.add(Param.create(d, h + "attn.qkv.bias", new int[] {3 * C}, false, new float[3 * C]));
    p.add(Param.create(d, h + "attn.proj.weight", new int[] {C, C}, true, normal(r, C * C, projStd)));
    p.add(Param.create(d, h + "attn.proj.bias", new int[] {C}, false, new float[C]));
    p.add(Param.create(d, h + "ln2.weight", new int[] {C}, false, ones(C)));
    p.add(Param.create(d, h + "ln2.bias", new int[] {C}, false, new float[C]));
    p.add(Param.create(d, h + "mlp.fc.weight", new int[] {4 * C, C}, true, normal(r, 4 * C * C, STD)));
    p.add(Param.create(d, h + "mlp.fc.bias", new int[] {4 * C}, false, new float[4 * C]));
    p.add(Param.create(d, h + "mlp.proj.weight", new int[] {C, 4 * C}, true, normal(r, 4 * C * C, projStd)));
    p.add(Param.create(d, h + "mlp.proj.bias", new int[] {C}, false, new float[C]));
    return p;
  }

  /** lnf.weight[C], lnf.bias[C], head.weight[Vp,C] (untied: the embedding lives on another stage). */
  public static List<Param> head(Device d, GptConfig c, long seed) {
    Random r = rng(seed, c.layers() + 1);
    int C = c.hidden();
    List<Param> p = new ArrayList<>();
    p.add(Param.create(d, "lnf.weight", new int[] {C}, false, ones(C)));
    p.add(Param.create(d, "lnf.bias", new int[] {C}, false, new float[C]));
    p.add(Param.create(d, "head.weight", new int[] {c.vocab(), C}, true, normal(r, c.vocab() * C, STD)));
    return p;
  }

  /** A generator that depends on (seed, layer) only, decorrelated by a SplitMix64 finaliser. */
  static Random rng(long seed, int layer) {
    long z = seed * 0x9E3779B97F4A7C15L + (layer + 1) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return new Random(z ^ (z >>> 31));
  }

  private static float[] normal(Random r, int n, float std) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) (r.nextGaussian() * std);
    }
    return a;
  }

  private static float[] ones(int n) {
    float[] a = new float[n];
    java.util.Arrays.fill(a, 1f);
    return a;
  }
}
