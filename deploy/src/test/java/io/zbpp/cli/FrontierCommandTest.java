package io.zbpp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

class FrontierCommandTest {
  @TempDir Path dir;

  /** 1.5B memory deltas, unit times, p=4 m=8: three limits, each under a 1 s budget. */
  @Test
  void sweepsTheLimitAndWritesOneSeriesPerMethod() throws Exception {
    Path svg = dir.resolve("frontier.svg");
    Cli r = Cli.run("frontier", "--model", "1.5b", "--stages", "4", "--microbatches", "8", "--from", "1", "--to", "2",
        "--step", "0.5", "--time-limit", "1", "--svg", svg.toString(), "--json");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.err()).contains("[1/3] K=1:").contains("[3/3] K=2:");
    JsonObject o = r.json();
    double unit = o.get("memUnit").getAsDouble();
    assertThat(unit).isEqualTo(4 * ModelPreset.byName("1.5b").memF());
    JsonArray rows = o.getAsJsonArray("rows");
    assertThat(rows).hasSize(3);
    double[] factors = {1, 1.5, 2};
    double previousOptimum = Double.POSITIVE_INFINITY;
    for (int i = 0; i < 3; i++) {
      JsonObject row = rows.get(i).getAsJsonObject();
      assertThat(row.keySet()).contains("factor", "memLimit", "heuristic", "optimized", "lowerBound", "optimal");
      assertThat(row.get("factor").getAsDouble()).isEqualTo(factors[i]);
      assertThat(row.get("memLimit").getAsDouble()).isEqualTo(factors[i] * unit);
      double heuristic = row.get("heuristic").getAsDouble();
      double optimized = row.get("optimized").getAsDouble();
      double bound = row.get("lowerBound").getAsDouble();
      assertThat(bound).isLessThanOrEqualTo(optimized + 1e-12);
      assertThat(optimized).isLessThanOrEqualTo(heuristic + 1e-12);
      if (row.get("optimal").getAsBoolean()) {
        assertThat(optimized - bound).isLessThan(1e-6);
        // More memory admits every plan the smaller limit did: the optimum never gets worse.
        assertThat(optimized).isLessThanOrEqualTo(previousOptimum + 1e-12);
        previousOptimum = optimized;
      }
    }
    Set<String> marked = new HashSet<>();
    for (JsonElement m : o.getAsJsonArray("marks")) {
      marked.add(m.getAsJsonObject().get("schedule").getAsString());
    }
    assertThat(marked).containsExactlyInAnyOrder("1f1b", "zb-h1", "zb-2p");

    Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
        .parse(new ByteArrayInputStream(Files.readString(svg).getBytes(StandardCharsets.UTF_8)));
    assertThat(doc.getDocumentElement().getTagName()).isEqualTo("svg");
    Set<String> methods = new HashSet<>();
    NodeList groups = doc.getElementsByTagName("g");
    Set<String> marks = new HashSet<>();
    for (int i = 0; i < groups.getLength(); i++) {
      Element g = (Element) groups.item(i);
      if (g.getAttribute("class").equals("series")) {
        assertThat(methods.add(g.getAttribute("data-method"))).as("one series per method").isTrue();
        NodeList lines = g.getElementsByTagName("polyline");
        assertThat(lines.getLength()).isEqualTo(1);
        assertThat(((Element) lines.item(0)).getAttribute("points").split(" ")).hasSize(3);
        assertThat(g.getElementsByTagName("circle").getLength()).isEqualTo(3);
      } else if (g.getAttribute("class").equals("mark")) {
        marks.add(g.getAttribute("data-schedule"));
      }
    }
    assertThat(methods).containsExactlyInAnyOrder("heuristic", "optimized", "lowerBound");
    assertThat(marks).containsExactlyInAnyOrder("1f1b", "zb-h1", "zb-2p");
    NodeList texts = doc.getElementsByTagName("text");
    Set<String> axisLabels = new HashSet<>();
    for (int i = 0; i < texts.getLength(); i++) {
      Element t = (Element) texts.item(i);
      if (t.getAttribute("class").equals("axis-label")) {
        axisLabels.add(t.getTextContent());
      }
    }
    assertThat(axisLabels).hasSize(2).anyMatch(l -> l.startsWith("memory limit")).contains("bubble rate");
  }

  @Test
  void tableNamesEveryLimitAndTheMarkedSchedules() {
    Cli r = Cli.run("frontier", "--stages", "3", "--microbatches", "6", "--from", "1", "--to", "1.2", "--step", "0.1",
        "--time-limit", "1");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out().lines().filter(l -> l.matches("\\s*1(\\.1|\\.2)?\\s.*"))).hasSize(3);
    assertThat(r.out()).contains("1f1b: bubble rate").contains("zb-h1: bubble rate").contains("zb-2p: bubble rate");
  }

  @Test
  void badInputIsOneLineNamingTheOption() {
    String[] base = {"frontier", "--stages", "4", "--microbatches", "8", "--time-limit", "1"};
    expectBad(base, "--step [0]", "--step", "0");
    expectBad(base, "--to [0.5]", "--to", "0.5");
    expectBad(base, "--step [0.0000001]", "--step", "0.0000001");
    expectBad(base, "--mem-limit [5]", "--mem-limit", "5");
    expectBad(base, "--mem-limit-factor [1.5]", "--mem-limit-factor", "1.5");
    expectBad(base, "--from [abc]", "--from", "abc");
    expectBad(base, "--from [0.1]", "--from", "0.1");
    expectBad(new String[] {"frontier", "--stages", "4", "--microbatches", "8"}, "--time-limit [0]",
        "--time-limit", "0");
    expectBad(base, "--model [nope]", "--model", "nope");
  }

  private static void expectBad(String[] base, String prefix, String... extra) {
    String[] args = new String[base.length + extra.length];
    System.arraycopy(base, 0, args, 0, base.length);
    System.arraycopy(extra, 0, args, base.length, extra.length);
    Cli r = Cli.run(args);
    assertThat(r.exit()).as(String.join(" ", args) + ": " + r.err()).isEqualTo(2);
    assertThat(r.err()).startsWith(prefix);
    assertThat(r.err().strip().lines()).hasSize(1);
    assertThat(r.out()).isEmpty();
  }
}
