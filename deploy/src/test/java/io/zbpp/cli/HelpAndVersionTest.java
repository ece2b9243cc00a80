package io.zbpp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HelpAndVersionTest {
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "--help                 | schedule",
      "schedule --help        | --mem-limit-factor=K",
      "schedule --help        | --cost-comm=TC",
      "schedule --help        | --plan-out=FILE",
      "bench --help           | paper",
      "bench paper --help     | --schedules=LIST",
      "help schedule          | --microbatches=M",
      "--help                 | train",
      "--help                 | demo",
      "train --help           | --timeline=FILE",
      "train --help           | 'reference'",
      "demo --help            | --temperature=T",
      "bench --help           | runtime",
      "bench --help           | ops",
      "bench runtime --help   | --time-scale=K",
      "bench ops --help       | --blas-threads=N"})
  void describesEveryCommandAndOption(String args, String expected) {
    Cli r = Cli.run(args.trim().split(" "));

    assertThat(r.exit()).isZero();
    assertThat(r.out()).contains("Usage: zbpp").contains(expected.trim());
    assertThat(r.err()).isEmpty();
  }

  @Test
  void printsTheProjectVersion() {
    Cli r = Cli.run("--version");

    assertThat(r.exit()).isZero();
    assertThat(r.out()).startsWith("zbpp 0.").contains("Java ");
  }
}
