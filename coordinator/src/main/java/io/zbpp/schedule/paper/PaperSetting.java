package io.zbpp.schedule.paper;

import io.zbpp.schedule.CostModel;
import io.zbpp.schedule.Shape;
import java.util.List;
import java.util.Map;

/**
 * One of the twelve experimental settings of the paper (docs/design.md §7): the model shape, the pipeline shape,
 * the profiled pass times (ms) and, where the paper gives them (m = 3p), the published bubble rates.
 *
 * <p>Memory deltas follow docs/design.md §2 per unit of s·b: ΔM(F) = 34h + 5as, ΔM(W) = −32h,
 * ΔM(B) = −(ΔM(F) + ΔM(W)), with s = 1024.
 *
 * @param model the model name, e.g. {@code 1.5B}
 * @param published published bubble rate by schedule name ({@code 1f1b}, {@code zb-h1}, {@code zb-h2},
 *     {@code zb-2p}); empty where the paper gives none
 */
public record PaperSetting(String model, int layers, int heads, int hidden, int stages, int microbatchSize,
    int microbatches, double tf, double tb, double tw, double comm, Map<String, Double> published) {
  public static final int SEQUENCE_LENGTH = 1024;

  public PaperSetting {
    published = Map.copyOf(published);
  }

  /** ΔM(F) = M_B per unit s·b: 34h + 5as. */
  public double memF() {
    return 34.0 * hidden + 5.0 * heads * SEQUENCE_LENGTH;
  }

  /** ΔM(W) = −M_W per unit s·b: −32h. */
  public double memW() {
    return -32.0 * hidden;
  }

  /** ΔM(B) = M_W − M_B. */
  public double memB() {
    return -(memF() + memW());
  }

  public Shape shape() {
    return Shape.of(stages, microbatches);
  }

  /** Equal per-stage costs and memory deltas, no memory limit. */
  public CostModel costModel() {
    return CostModel.builder(stages).times(tf, tb, tw).comm(comm).mem(memF(), memB(), memW()).build();
  }

  /** e.g. {@code 1.5B p=8 m=24}. */
  public String label() {
    return model + " p=" + stages + " m=" + microbatches;
  }

  /** The twelve settings in the paper's order. */
  public static List<PaperSetting> all() {
    return PaperSettings.ALL;
  }
}
