package io.zbpp.gpu.model;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A GPT shape. Letters used across the module: L layers (blocks), C = h hidden, NH = a heads, Vp vocabulary,
 * T = s sequence length.
 *
 * @param name the preset name, or any label
 * @param layers transformer blocks L (the unit of partitioning)
 * @param hidden C, a multiple of heads
 * @param heads NH
 * @param vocab Vp; the bundled corpus is byte-level, so at least 256 to train on it
 * @param seqLen T
 */
public record GptConfig(String name, int layers, int hidden, int heads, int vocab, int seqLen) {
  private static final Map<String, GptConfig> PRESETS = new LinkedHashMap<>();

  static {
    // tiny: for tests, seconds; 8 layers so that 4 stages × 2 chunks are possible.
    put(new GptConfig("tiny", 8, 32, 4, 256, 16));
    // small: the demo, learns visibly in about two minutes on 2 cores.
    put(new GptConfig("small", 8, 128, 4, 256, 64));
    // The paper's four shapes (docs/design.md §7), GPT-2 vocabulary, sequence length 1024.
    put(new GptConfig("1.5b", 22, 2304, 24, 50257, 1024));
    put(new GptConfig("6.2b", 30, 4096, 32, 50257, 1024));
    put(new GptConfig("14.6b", 46, 5120, 40, 50257, 1024));
    put(new GptConfig("28.3b", 62, 6144, 48, 50257, 1024));
  }

  public GptConfig {
    positive("layers", layers);
    positive("hidden", hidden);
    positive("heads", heads);
    positive("vocab", vocab);
    positive("seqLen", seqLen);
    if (hidden % heads != 0) {
      throw new IllegalArgumentException(
          "hidden [" + hidden + "]: must be a multiple of heads (" + heads + ")");
    }
  }

  private static void put(GptConfig c) {
    PRESETS.put(c.name(), c);
  }

  private static void positive(String what, int v) {
    if (v < 1) {
      throw new IllegalArgumentException(what + " [" + v + "]: must be at least 1");
    }
  }

  /** The preset of that name (tiny, small, 1.5b, 6.2b, 14.6b, 28.3b). */
  public static GptConfig preset(String name) {
    GptConfig c = PRESETS.get(name);
    if (c == null) {
      throw new IllegalArgumentException(
          "unknown preset [" + name + "]: must be one of " + String.join(", ", PRESETS.keySet()));
    }
    return c;
  }

  /** Preset names in order. */
  public static java.util.List<String> presetNames() {
    return java.util.List.copyOf(PRESETS.keySet());
  }

  /** Parameters of one block: 12C² + 13C. */
  public long blockParams() {
    long c = hidden;
    return 12 * c * c + 13 * c;
  }

  /** All parameters: embeddings, blocks, final norm and an untied head. */
  public long totalParams() {
    long c = hidden;
    return (long) vocab * c + (long) seqLen * c + layers * blockParams() + 2 * c + (long) vocab * c;
  }

  /** docs/design.md §2's M_B per layer for microbatch size b: s·b·(34h + 5a·s) bytes (fp16 Megatron). */
  public long paperActivationBytes(int b) {
    return (long) seqLen * b * (34L * hidden + 5L * heads * seqLen);
  }

  /** docs/design.md §2's M_W per layer: 32·s·b·h bytes still held after B until W. */
  public long paperWStashBytes(int b) {
    return 32L * seqLen * b * hidden;
  }
}
