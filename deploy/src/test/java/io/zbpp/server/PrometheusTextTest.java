package io.zbpp.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The test parser of the Prometheus text format accepts valid text and refuses each kind of mistake. */
class PrometheusTextTest {
  private static final String VALID = """
      # HELP a_total Things.
      # TYPE a_total counter
      a_total{stage="0",job="j\\"1\\\\"} 3.0
      # TYPE h histogram
      h_bucket{le="0.1"} 1.0
      h_bucket{le="+Inf"} 2.0
      h_count 2.0
      h_sum 0.3
      # TYPE g gauge
      g NaN
      """;

  @Test
  void readsFamiliesTypesLabelsAndValues() {
    Map<String, PrometheusText.Family> m = PrometheusText.parse(VALID);
    assertThat(m).containsOnlyKeys("a_total", "h", "g");
    assertThat(m.get("a_total").help()).isEqualTo("Things.");
    assertThat(m.get("a_total").samples().get(0).labels()).containsEntry("job", "j\"1\\").containsEntry("stage", "0");
    assertThat(m.get("h").samples()).hasSize(4);
    assertThat(m.get("g").samples().get(0).value()).isNaN();
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "g 1.0\n",                                              // no TYPE
      "# TYPE g gauge\ng{a=\"1\"} x\n",                       // bad value
      "# TYPE g gauge\ng{a=1} 1\n",                           // unquoted label value
      "# TYPE g gauge\ng{a=\"\\t\"} 1\n",                     // bad escape
      "# TYPE g gauge\ng 1\ng 2\n",                           // a series twice
      "# TYPE g gauge\n# TYPE g gauge\ng 1\n",                // TYPE twice
      "# TYPE g gauge\n# TYPE f gauge\ng 1\nf 1\ng{a=\"b\"} 2\n", // not contiguous
      "# TYPE g wobble\ng 1\n",                               // unknown type
      "# TYPE c counter\nc_total -1\n",                       // a negative counter
      "# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_count 1\n", // decreasing buckets
      "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_count 3\n", // +Inf is not the count
      "# TYPE g gauge\ng_total 1\n",                          // a suffix a gauge does not have
      "# TYPE g gauge\ng 1",                                  // no final line feed
      "# TYPE g gauge\n1g 1\n"})                              // bad name
  void refusesMalformedText(String text) {
    assertThatThrownBy(() -> PrometheusText.parse(text)).isInstanceOf(IllegalArgumentException.class);
  }
}
