package io.zbpp.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.zbpp.client.JobSpecs;
import io.zbpp.protocol.jobs.JobSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How a job interrupted by its coordinator's end goes on: from its latest checkpoint, else from the start. */
class ResumptionTest {
  @TempDir Path dir;

  private static JobSpec.Builder spec() {
    return JobSpecs.builder("zb-2p", 2, 4).iterations(20).model("tiny").build().toBuilder();
  }

  @Test
  void withoutCheckpointsItRunsAgainFromTheStart() {
    List<String> warned = new ArrayList<>();
    Resumption none = Resumption.of(spec().build(), 5, warned::add);
    assertThat(none.spec()).isEqualTo(spec().build());
    assertThat(none.fromIteration()).isZero();
    assertThat(none.why()).isEqualTo("runs again from the start: it takes no checkpoints");
    Path missing = dir.resolve("ckpt");
    Resumption notYet = Resumption.of(spec().setCheckpointEvery(5).setCheckpointDir(missing.toString()).build(), 3,
        warned::add);
    assertThat(notYet.spec().getResumeFrom()).isEmpty();
    assertThat(notYet.why()).isEqualTo("runs again from the start: no checkpoint in " + missing + " yet");
    Resumption empty = Resumption.of(spec().setCheckpointEvery(5).setCheckpointDir(dir.toString()).build(), 3,
        warned::add);
    assertThat(empty.why()).isEqualTo("runs again from the start: no complete checkpoint in " + dir + " yet");
    assertThat(warned).isEmpty();
  }

  @Test
  void anInjectedCoordinatorKillThatStruckIsDroppedAndALaterOneStays() {
    JobSpec s = spec().addInject("kill-coordinator:0@7").addInject("kill-coordinator:0@15")
        .addInject("kill-stage:1@6.2").build();
    Resumption r = Resumption.of(s, 6, line -> { });
    assertThat(r.spec().getInjectList()).containsExactly("kill-coordinator:0@15", "kill-stage:1@6.2");
    assertThat(Resumption.of(s, 2, line -> { }).spec().getInjectList()).as("not struck yet: iteration 7 > 2 + 2")
        .isEqualTo(s.getInjectList());
  }
}
