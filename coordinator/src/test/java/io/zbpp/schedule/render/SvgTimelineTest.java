package io.zbpp.schedule.render;

import static org.assertj.core.api.Assertions.assertThat;

import io.zbpp.schedule.CostModel;
import io.zbpp.schedule.Instruction;
import io.zbpp.schedule.Op;
import io.zbpp.schedule.Placement;
import io.zbpp.schedule.Plan;
import io.zbpp.schedule.Simulator;
import io.zbpp.schedule.Timeline;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

class SvgTimelineTest {
  static Document parse(String svg) throws Exception {
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setNamespaceAware(true);
    return f.newDocumentBuilder().parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
  }

  static List<Element> passRects(Document doc) {
    NodeList rects = doc.getElementsByTagNameNS("http://www.w3.org/2000/svg", "rect");
    List<Element> out = new ArrayList<>();
    for (int i = 0; i < rects.getLength(); i++) {
      Element e = (Element) rects.item(i);
      if (e.getAttribute("class").startsWith("pass ")) {
        out.add(e);
      }
    }
    return out;
  }

  @ParameterizedTest(name = "1f1b p={0} m={1}")
  @CsvSource({"1, 1", "4, 8", "8, 24", "16, 48"})
  void isWellFormedSvgWithOneRectPerPass(int p, int m) throws Exception {
    Timeline t = AsciiGridTest.oneFOneB(p, m, 18.522, 18.086, 9.337, 0.601);

    Document doc = parse(SvgTimeline.render(t));

    assertThat(doc.getDocumentElement().getLocalName()).isEqualTo("svg");
    List<Element> rects = passRects(doc);
    assertThat(rects).hasSize(t.plan().size());
    assertThat(rects.stream().filter(r -> r.getAttribute("class").equals("pass F"))).hasSize(p * m);
    assertThat(rects.stream().filter(r -> r.getAttribute("class").equals("pass BW"))).hasSize(p * m);
  }

  @Test
  void placesEachBoxAtItsSimulatedTimeWithTitleAndMicrobatchNumber() throws Exception {
    Timeline t = AsciiGridTest.oneFOneB(2, 2, 1, 1, 1, 0);

    Document doc = parse(SvgTimeline.render(t));

    List<Element> rects = passRects(doc);
    List<String> titles = rects.stream().map(r -> r.getTextContent()).toList();
    assertThat(titles).containsExactly("0F0 [0, 1]", "0F1 [1, 2]", "0BW0 [4, 6]", "0BW1 [7, 9]",
        "1F0 [1, 2]", "1BW0 [2, 4]", "1F1 [4, 5]", "1BW1 [5, 7]");
    double unit = Double.parseDouble(rects.get(0).getAttribute("width"));
    assertThat(Double.parseDouble(rects.get(2).getAttribute("width"))).isCloseTo(2 * unit, within());
    assertThat(Double.parseDouble(rects.get(2).getAttribute("x")) - Double.parseDouble(rects.get(0)
        .getAttribute("x"))).isCloseTo(4 * unit, within());
    String text = doc.getDocumentElement().getTextContent();
    assertThat(text).contains("1f1b \u2014 p=2, m=2, v=1 \u2014 cost 9, bubble rate 33.33%");
  }

  @Test
  void shadesLaterChunksOfAStageDarker() throws Exception {
    Plan plan = new Plan("custom", 1, Placement.interleaved(1, 2), List.of(List.of(
        new Instruction(0, Op.F, 0, 0), new Instruction(0, Op.F, 0, 1), new Instruction(0, Op.B, 0, 1),
        new Instruction(0, Op.B, 0, 0), new Instruction(0, Op.W, 0, 1), new Instruction(0, Op.W, 0, 0))));
    Timeline t = Simulator.simulate(plan, CostModel.uniform(1, 1, 1, 1, 0));

    List<Element> rects = passRects(parse(SvgTimeline.render(t)));

    assertThat(rects).hasSize(6);
    assertThat(rects.get(0).getAttribute("fill")).isEqualTo(SvgTimeline.colour(Op.F, 0, 2));
    assertThat(rects.get(1).getAttribute("fill")).isEqualTo(SvgTimeline.colour(Op.F, 1, 2))
        .isNotEqualTo(rects.get(0).getAttribute("fill"));
    assertThat(rects.stream().map(r -> r.getAttribute("fill")).distinct()).hasSize(6);
  }

  @Test
  void givesEveryOpItsOwnColour() {
    assertThat(List.of(Op.values()).stream().map(op -> SvgTimeline.colour(op, 0, 1)).distinct()).hasSize(4);
  }

  @ParameterizedTest
  @CsvSource({"0.7, 1", "3.3, 5", "10, 10", "12, 20", "0.04, 0.05"})
  void picksNiceAxisSteps(double raw, double step) {
    assertThat(SvgTimeline.niceStep(raw)).isCloseTo(step, within());
  }

  private static org.assertj.core.data.Offset<Double> within() {
    return org.assertj.core.data.Offset.offset(1e-6);
  }
}
