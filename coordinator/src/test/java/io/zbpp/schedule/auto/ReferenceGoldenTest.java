package io.zbpp.schedule.auto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.zbpp.schedule.CostModel;
import io.zbpp.schedule.PlanText;
import io.zbpp.schedule.Shape;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Golden plans: each resource file holds a cost model and, for all eight {@link Choices}, the per-stage order
 * and cost that the reference implementation's heuristic (sail-sg/zero-bubble-pipeline-parallelism,
 * {@code manual_order}) produced for it. Our heuristic must reproduce every order token for token, and the
 * search must pick the reference's winner (the first of the smallest cost).
 */
class ReferenceGoldenTest {
  @ParameterizedTest
  @ValueSource(strings = {"uniform-p4-m12.txt", "comm-p4-m12.txt", "hetero-p8-m32.txt", "random-p6-m15.txt",
      "random-p8-m5.txt", "random-p5-m20.txt"})
  void reproducesTheReferenceOrderForEveryChoice(String file) throws IOException {
    Golden g = Golden.load(file);
    for (Choices c : Choices.all()) {
      AutoResult r = AutoScheduler.withChoices("ref", g.shape(), g.costs(), c);
      assertThat(PlanText.format(r.plan())).as(file + " " + c).isEqualTo(g.plans().get(c.toString()));
      double expected = g.costsByChoice().get(c.toString());
      assertThat(r.cost()).as(file + " " + c).isCloseTo(expected, within(1e-9 * expected));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"uniform-p4-m12.txt", "comm-p4-m12.txt", "hetero-p8-m32.txt", "random-p6-m15.txt",
      "random-p8-m5.txt", "random-p5-m20.txt"})
  void searchKeepsTheReferenceWinner(String file) throws IOException {
    Golden g = Golden.load(file);
    String winner = null;
    double best = Double.POSITIVE_INFINITY;
    for (Map.Entry<String, Double> e : g.costsByChoice().entrySet()) {
      if (e.getValue() < best) {
        best = e.getValue();
        winner = e.getKey();
      }
    }
    AutoResult r = AutoScheduler.search("ref", g.shape(), g.costs());
    assertThat(r.choices().toString()).isEqualTo(winner);
    assertThat(PlanText.format(r.plan())).isEqualTo(g.plans().get(winner));
  }

  /** One golden file: the inputs, and per choice (by its printed form) the plan text and cost. */
  private record Golden(Shape shape, CostModel costs, Map<String, String> plans, Map<String, Double> costsByChoice) {
    static Golden load(String file) throws IOException {
      List<String> lines;
      try (InputStream in = ReferenceGoldenTest.class.getResourceAsStream(file)) {
        lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
      }
      Map<String, String> header = new LinkedHashMap<>();
      Map<String, String> plans = new LinkedHashMap<>();
      Map<String, Double> costs = new LinkedHashMap<>();
      String current = null;
      List<String> body = new ArrayList<>();
      for (String line : lines) {
        if (line.startsWith("## choices: ")) {
          put(plans, current, body);
          String[] parts = line.substring("## choices: ".length()).split(" cost: ");
          current = parts[0];
          costs.put(current, Double.parseDouble(parts[1]));
        } else if (line.startsWith("# ") && line.contains(": ") && current == null) {
          String[] kv = line.substring(2).split(": ", 2);
          header.put(kv[0], kv[1]);
        } else if (current != null) {
          body.add(line);
        }
      }
      put(plans, current, body);
      int p = Integer.parseInt(header.get("stages"));
      CostModel cm = CostModel.builder(p).tf(nums(header, "tf")).tb(nums(header, "tb")).tw(nums(header, "tw"))
          .comm(Double.parseDouble(header.get("comm"))).memF(nums(header, "memf")).memB(nums(header, "memb"))
          .memW(nums(header, "memw")).memLimit(Double.parseDouble(header.get("limit"))).build();
      return new Golden(Shape.of(p, Integer.parseInt(header.get("microbatches"))), cm, plans, costs);
    }

    private static void put(Map<String, String> plans, String key, List<String> body) {
      if (key != null) {
        plans.put(key, String.join("\n", body) + "\n");
        body.clear();
      }
    }

    private static double[] nums(Map<String, String> header, String key) {
      return Arrays.stream(header.get(key).split(",")).mapToDouble(Double::parseDouble).toArray();
    }
  }
}
