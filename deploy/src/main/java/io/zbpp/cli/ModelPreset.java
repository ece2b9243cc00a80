package io.zbpp.cli;

import io.zbpp.gpu.model.GptConfig;
import java.util.List;
import java.util.Locale;

/**
 * The {@code --model} presets of {@code zbpp schedule}: every model preset {@code zbpp train} knows (tiny, small
 * and the paper's four), giving per-stage memory deltas per unit s·b from the model shape with the preset's own
 * sequence length s: ΔM(F) = 34h + 5as, ΔM(W) = −32h, ΔM(B) = −(ΔM(F) + ΔM(W)) (docs/design.md §2). For the
 * paper's models (s = 1024) these are the values of {@link io.zbpp.schedule.paper.PaperSetting}.
 *
 * @param memF ΔM(F) per unit s·b
 * @param memB ΔM(B) per unit s·b
 * @param memW ΔM(W) per unit s·b
 */
public record ModelPreset(String name, double memF, double memB, double memW) {

  /** The preset names, lower case, as {@code zbpp train --model} takes them. */
  public static List<String> names() {
    return GptConfig.presetNames();
  }

  /**
   * The preset of that name (case-insensitive).
   *
   * @throws UsageException naming the unknown preset and the accepted ones
   */
  public static ModelPreset byName(String name) {
    String key = name.toLowerCase(Locale.ROOT);
    if (!names().contains(key)) {
      throw new UsageException("--model [" + name + "]: unknown preset; expected one of "
          + String.join(", ", names()));
    }
    GptConfig c = GptConfig.preset(key);
    double memF = 34.0 * c.hidden() + 5.0 * c.heads() * c.seqLen();
    double memW = -32.0 * c.hidden();
    return new ModelPreset(key, memF, -(memF + memW), memW);
  }
}
