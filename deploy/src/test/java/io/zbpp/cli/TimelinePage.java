package io.zbpp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;

/** Parses the SVG of a runtime timeline page and checks it reads like the schedule's SVG. */
final class TimelinePage {
  private TimelinePage() {}

  /**
   * A legend, at least five time ticks, a planned and a realized section with the same number of passes, and
   * the colours {@code zbpp schedule --svg} gives each op.
   */
  static void assertReadable(String page, int stages) throws Exception {
    Document svg = parse(page.substring(page.indexOf("<svg"), page.indexOf("</svg>") + "</svg>".length()));
    assertThat(byClass(svg, "legend")).as("legend swatches").hasSizeGreaterThanOrEqualTo(2);
    assertThat(byClass(svg, "tick")).as("time ticks").hasSizeGreaterThanOrEqualTo(5);
    List<String> sections = byClass(svg, "section").stream().map(Element::getTextContent).toList();
    assertThat(sections).hasSize(2);
    assertThat(sections.get(0)).startsWith("planned");
    assertThat(sections.get(1)).startsWith("realized");
    List<Element> passes = new ArrayList<>();
    NodeList rects = svg.getElementsByTagName("rect");
    for (int i = 0; i < rects.getLength(); i++) {
      Element e = (Element) rects.item(i);
      if (e.getAttribute("class").startsWith("pass ")) {
        passes.add(e);
      }
    }
    assertThat(passes.size() % 2).isZero();
    Map<String, String> pageColours = coloursByOp(passes);
    Path schedule = Files.createTempFile("zbpp-schedule", ".svg");
    try {
      Cli s = Cli.run("schedule", "--schedule", "zb-2p", "--stages", String.valueOf(stages), "--microbatches", "8",
          "--svg", schedule.toString());
      assertThat(s.exit()).as(s.err()).isZero();
      Document ref = parse(Files.readString(schedule).replaceFirst("<\\?xml[^>]*>", ""));
      List<Element> refPasses = byClass(ref, "pass");
      assertThat(pageColours).isEqualTo(coloursByOp(refPasses));
    } finally {
      Files.deleteIfExists(schedule);
    }
  }

  private static Map<String, String> coloursByOp(List<Element> passes) {
    Map<String, String> out = new TreeMap<>();
    for (Element e : passes) {
      String op = e.getAttribute("class").substring("pass ".length());
      String prev = out.put(op, e.getAttribute("fill"));
      assertThat(prev == null || prev.equals(e.getAttribute("fill"))).as("one colour per op").isTrue();
    }
    return out;
  }

  private static Document parse(String xml) throws Exception {
    return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(new InputSource(new StringReader(xml)));
  }

  private static List<Element> byClass(Document d, String cls) {
    List<Element> out = new ArrayList<>();
    NodeList all = d.getElementsByTagName("*");
    for (int i = 0; i < all.getLength(); i++) {
      Element e = (Element) all.item(i);
      String c = e.getAttribute("class");
      if (c.equals(cls) || c.startsWith(cls + " ")) {
        out.add(e);
      }
    }
    return out;
  }
}
