package io.zbpp.schedule.paper;

import java.util.List;
import java.util.Map;

/** The data of docs/design.md §7: profiled times of the paper's appendix and the published bubble rates. */
final class PaperSettings {
  private PaperSettings() {}

  static final List<PaperSetting> ALL = List.of(
      s("1.5B", 22, 24, 2304, 8, 6, 24, 18.522, 18.086, 9.337, 0.601, pub(0.2431, 0.1585, 0.1083, 0.0433)),
      s("1.5B", 22, 24, 2304, 8, 6, 32, 18.513, 18.086, 9.331, 0.626, Map.of()),
      s("1.5B", 22, 24, 2304, 8, 6, 64, 18.546, 18.097, 9.321, 0.762, Map.of()),
      s("6.2B", 30, 32, 4096, 8, 3, 24, 29.718, 29.444, 19.927, 0.527, pub(0.2347, 0.1323, 0.0698, 0.0029)),
      s("6.2B", 30, 32, 4096, 8, 3, 32, 29.802, 29.428, 19.530, 0.577, Map.of()),
      s("6.2B", 30, 32, 4096, 8, 3, 64, 29.935, 29.621, 19.388, 0.535, Map.of()),
      s("14.6B", 46, 40, 5120, 16, 1, 48, 11.347, 11.248, 8.132, 0.377, pub(0.2552, 0.1397, 0.0672, 0.0066)),
      s("14.6B", 46, 40, 5120, 16, 1, 64, 11.307, 11.254, 8.101, 0.379, Map.of()),
      s("14.6B", 46, 40, 5120, 16, 1, 128, 11.325, 11.308, 8.109, 0.378, Map.of()),
      s("28.3B", 62, 48, 6144, 32, 1, 96, 10.419, 10.207, 7.715, 0.408, pub(0.2646, 0.1421, 0.0641, 0.0038)),
      s("28.3B", 62, 48, 6144, 32, 1, 128, 10.408, 10.204, 7.703, 0.408, Map.of()),
      s("28.3B", 62, 48, 6144, 32, 1, 256, 10.402, 10.248, 7.698, 0.460, Map.of()));

  private static PaperSetting s(String model, int layers, int heads, int hidden, int p, int mbs, int m,
      double tf, double tb, double tw, double comm, Map<String, Double> published) {
    return new PaperSetting(model, layers, heads, hidden, p, mbs, m, tf, tb, tw, comm, published);
  }

  private static Map<String, Double> pub(double oneFOneB, double h1, double h2, double twoP) {
    return Map.of("1f1b", oneFOneB, "zb-h1", h1, "zb-h2", h2, "zb-2p", twoP);
  }
}
