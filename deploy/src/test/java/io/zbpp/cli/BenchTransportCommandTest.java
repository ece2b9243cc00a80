package io.zbpp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.zbpp.dataplane.TestCerts;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code zbpp bench transport} with tiny sizes: a real second JVM, every transport, the JSON contract. */
class BenchTransportCommandTest {
  @Test
  void measuresEveryTransportAgainstTheRawSocketInASecondJvmAndLeavesNoChildBehind() {
    long childrenBefore = ProcessHandle.current().children().count();

    Cli c = Cli.run("bench", "transport", "--sizes", "64k,300000", "--repetitions", "2", "--json");

    assertThat(c.exit()).as(c.err()).isZero();
    JsonObject doc = c.json();
    assertThat(doc.keySet()).containsExactly("dataPlane", "rows");
    assertThat(doc.get("dataPlane").getAsString()).isEqualTo("netty");
    JsonArray rows = doc.getAsJsonArray("rows");
    List<String> names = new ArrayList<>();
    for (JsonElement e : rows) {
      JsonObject r = e.getAsJsonObject();
      assertThat(r.keySet()).containsExactly("transport", "bytes", "mbPerSecond", "ratio", "latencyMillis");
      names.add(r.get("transport").getAsString() + "@" + r.get("bytes").getAsInt());
      assertThat(r.get("mbPerSecond").getAsDouble()).isPositive();
      assertThat(r.get("latencyMillis").getAsDouble()).as("one-way, by the shared monotonic clock").isPositive();
      if (r.get("transport").getAsString().equals("raw-socket")) {
        assertThat(r.get("ratio").getAsDouble()).isEqualTo(1.0);
      }
    }
    assertThat(names).containsExactly("raw-socket@65536", "netty@65536", "artery-chunked@65536",
        "artery-large@65536", "raw-socket@300000", "netty@300000", "artery-chunked@300000", "artery-large@300000");
    assertThat(ProcessHandle.current().children().count()).isEqualTo(childrenBefore);
  }

  @Test
  void printsATableOfTheChosenTransports() {
    Cli c = Cli.run("bench", "transport", "--sizes", "1k", "--repetitions", "1", "--transports", "netty");

    assertThat(c.exit()).as(c.err()).isZero();
    assertThat(c.out()).contains("transport", "MB/s", "ratio", "latency ms", "CPU s/GB")
        .containsPattern("raw-socket +1024 ").containsPattern("netty +1024 ").doesNotContain("artery");
  }

  @Test
  void measuresTheDataPlaneWithTlsFromACertificateDirectory(@TempDir Path dir) throws Exception {
    Path certs = TestCerts.ca("bench CA").node(dir.resolve("node"), "node");

    Cli c = Cli.run("bench", "transport", "--sizes", "64k", "--repetitions", "1", "--transports", "netty",
        "--tls-dir", certs.toString(), "--json");

    assertThat(c.exit()).as(c.err()).isZero();
    List<String> names = new ArrayList<>();
    for (JsonElement e : c.json().getAsJsonArray("rows")) {
      names.add(e.getAsJsonObject().get("transport").getAsString());
      assertThat(e.getAsJsonObject().get("mbPerSecond").getAsDouble()).isPositive();
    }
    assertThat(names).containsExactly("raw-socket", "netty", "netty-tls");
  }

  static Stream<Arguments> badInput() {
    String sizes = ": expected a size from 1 to 256m, in bytes or with k or m (e.g. 64k,4m)";
    return Stream.of(
        Arguments.of(new String[] {"bench", "transport", "--sizes", "0"}, "--sizes [0]" + sizes),
        Arguments.of(new String[] {"bench", "transport", "--sizes", "64k,1g"}, "--sizes [1g]" + sizes),
        Arguments.of(new String[] {"bench", "transport", "--sizes", "257m"}, "--sizes [257m]" + sizes),
        Arguments.of(new String[] {"bench", "transport", "--repetitions", "0"},
            "--repetitions [0]: must be at least 1"),
        Arguments.of(new String[] {"bench", "transport", "--tls-dir", "/nonexistent"},
            "--tls-dir [/nonexistent]: no readable tls.key (expected tls.key, tls.crt, ca.crt in PEM)"),
        Arguments.of(new String[] {"bench", "transport", "--transports", "netty,carrier-pigeon"},
            "--transports [carrier-pigeon]: unknown; expected one of raw-socket, netty, artery-chunked, artery-large"));
  }

  @ParameterizedTest
  @MethodSource("badInput")
  void rejectsBadInputWithOneLine(String[] args, String message) {
    Cli c = Cli.run(args);

    assertThat(c.exit()).isEqualTo(2);
    assertThat(c.err()).isEqualTo(message + System.lineSeparator());
  }
}
