package io.zbpp.cli;

import io.zbpp.schedule.paper.PaperSetting;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code --model} presets: the paper's four models (docs/design.md §7), giving per-stage memory deltas per unit
 * s·b from the model shape with s = 1024: ΔM(F) = 34h + 5as, ΔM(W) = −32h, ΔM(B) = −(ΔM(F) + ΔM(W))
 * (docs/design.md §2), as {@link PaperSetting} computes them.
 */
public final class ModelPreset {
  private static final Map<String, PaperSetting> BY_NAME = new LinkedHashMap<>();

  static {
    for (PaperSetting s : PaperSetting.all()) {
      BY_NAME.putIfAbsent(s.model().toLowerCase(Locale.ROOT), s);
    }
  }

  private ModelPreset() {}

  /** The preset names, lower case: {@code 1.5b, 6.2b, 14.6b, 28.3b}. */
  public static List<String> names() {
    return List.copyOf(BY_NAME.keySet());
  }

  /**
   * The paper setting whose model shape the preset uses (any of its settings; the shape is the same).
   *
   * @throws UsageException naming the unknown preset and the accepted ones
   */
  public static PaperSetting byName(String name) {
    PaperSetting s = BY_NAME.get(name.toLowerCase(Locale.ROOT));
    if (s == null) {
      throw new UsageException("--model [" + name + "]: unknown preset; expected one of "
          + String.join(", ", names()));
    }
    return s;
  }
}
