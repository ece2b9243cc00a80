package io.zbpp.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zbpp.jobs.JobRunner;
import io.zbpp.protocol.jobs.JobSpec;
import io.zbpp.runtime.JobSpecFlags;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Spec files (YAML and JSON) and the spec checks, which are {@code zbpp train}'s with the spec's field names. */
class JobSpecFilesTest {
  private static final Path EXAMPLES = Path.of("..", "examples");

  @Test
  void theIssuesExampleReadsAsTrainsOptions() {
    JobSpec s = SpecFiles.parse("example.yaml", """
        name: tiny-zb2p
        schedule: zb-2p
        stages: 4
        microbatches: 8
        iterations: 3
        model: tiny
        backend: cpu
        seed: 11
        """, true);
    assertThat(JobSpecFlags.args(s)).containsExactly("--schedule", "zb-2p", "--stages", "4",
        "--microbatches", "8", "--iterations", "3", "--model", "tiny", "--backend", "cpu", "--seed", "11");
    assertThat(TrainJobRunner.resolve(s).spec().stages()).isEqualTo(4);
  }

  @Test
  void everyExampleFileIsAValidSpec() throws IOException {
    List<Path> files;
    try (Stream<Path> list = Files.list(EXAMPLES)) {
      files = list.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".json")).toList();
    }
    assertThat(files).hasSizeGreaterThanOrEqualTo(3);
    for (Path f : files) {
      JobSpec s = SpecFiles.read(f);
      assertThat(new TrainJobRunner(8).devicesFor(s)).as(f.toString()).isEqualTo(s.getStages());
    }
  }

  @Test
  void unknownFieldsAndBadValuesAreNamed() {
    assertThatThrownBy(() -> SpecFiles.parse("s.yaml", "schedule: zb-2p\nstagez: 4\n", true))
        .isInstanceOf(UsageException.class)
        .hasMessageStartingWith("SPEC [s.yaml]: unknown field [stagez]; expected one of name, schedule, stages,");
    assertThatThrownBy(() -> SpecFiles.parse("s.json", "{\"stages\": \"four\"}", false))
        .isInstanceOf(UsageException.class).hasMessageStartingWith("SPEC [s.json]: ")
        .hasMessageContaining("four");
    assertThatThrownBy(() -> SpecFiles.parse("s.yaml", "- a\n- b\n", true)).isInstanceOf(UsageException.class)
        .hasMessageStartingWith("SPEC [s.yaml]: expected a mapping of job spec fields");
  }

  @Test
  void specChecksAreTrainsWithFieldNames() {
    JobSpec ok = SpecFiles.parse("s", "{\"schedule\": \"zb-2p\", \"stages\": 4, \"microbatches\": 8, "
        + "\"iterations\": 3, \"model\": \"tiny\"}", false);
    assertThatThrownBy(() -> TrainJobRunner.resolve(ok.toBuilder().setStages(0).build()))
        .isInstanceOfSatisfying(JobRunner.SpecException.class, e -> {
          assertThat(e.field()).isEqualTo("stages");
          assertThat(e).hasMessageStartingWith("stages [0]: ");
        });
    assertThatThrownBy(() -> TrainJobRunner.resolve(ok.toBuilder().setModel("huge").build()))
        .isInstanceOfSatisfying(JobRunner.SpecException.class, e -> {
          assertThat(e.field()).isEqualTo("model");
          assertThat(e).hasMessage("model [huge]: unknown preset; expected one of "
              + String.join(", ", io.zbpp.gpu.model.GptConfig.presetNames()));
        });
    assertThatThrownBy(() -> TrainJobRunner.resolve(ok.toBuilder().setIterations(0).build()))
        .hasMessage("iterations [0]: must be at least 1");
    assertThatThrownBy(() -> TrainJobRunner.resolve(ok.toBuilder().setMicrobatchSize(-2).build()))
        .hasMessageStartingWith("microbatchSize [-2]: ");
    assertThatThrownBy(() -> TrainJobRunner.resolve(ok.toBuilder().setSchedule("zb-9").build()))
        .hasMessageStartingWith("schedule [zb-9]");
    // the same input on the command line names the option
    Cli c = Cli.run("train", "--schedule", "zb-2p", "--stages", "0", "--microbatches", "8", "--iterations", "3",
        "--model", "tiny");
    assertThat(c.exit()).isEqualTo(2);
    assertThat(c.err()).startsWith("--stages [0]: ");
  }
}
