package io.zbpp.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zbpp.protocol.jobs.JobSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The job spec's checkpoint fields → {@link CheckpointPolicy}, and the faults' labels. */
class CheckpointPolicyTest {
  @Test
  void readsTheJobSpecFields() {
    CheckpointPolicy off = CheckpointPolicy.of(JobSpec.getDefaultInstance(), List.of());
    assertThat(off.enabled()).isFalse();
    assertThat(off.resumes()).isFalse();
    assertThat(off.keep()).isEqualTo(3);

    CheckpointPolicy on = CheckpointPolicy.of(JobSpec.newBuilder().setCheckpointEvery(5).setCheckpointKeep(2)
        .setCheckpointDir("/c").build(), List.of());
    assertThat(on).isEqualTo(new CheckpointPolicy(5, 2, "/c", "", List.of()));
    assertThat(on.due(5, 12)).isTrue();
    assertThat(on.due(6, 12)).isFalse();
    assertThat(on.due(12, 12)).isTrue();
    assertThat(on.due(0, 12)).isFalse();

    CheckpointPolicy resume = CheckpointPolicy.of(JobSpec.newBuilder().setCheckpointEvery(5).setResumeFrom("/r")
        .build(), List.of());
    assertThat(resume.dir()).isEqualTo("/r");
    assertThat(resume.resumes()).isTrue();
  }

  @Test
  void badFieldsAreOneLineNamingTheField() {
    assertThatThrownBy(() -> CheckpointPolicy.of(JobSpec.newBuilder().setCheckpointEvery(-1).setCheckpointDir("/c")
        .build(), List.of())).hasMessage("checkpointEvery [-1]: must be at least 0 (0: no checkpoints)");
    assertThatThrownBy(() -> CheckpointPolicy.of(JobSpec.newBuilder().setCheckpointKeep(-2).build(), List.of()))
        .hasMessage("checkpointKeep [-2]: must be at least 1 (0: 3)");
    assertThatThrownBy(() -> CheckpointPolicy.of(JobSpec.newBuilder().setCheckpointEvery(5).build(), List.of()))
        .hasMessage("checkpointDir []: checkpointEvery 5 needs a directory");
    assertThatThrownBy(() -> CheckpointFault.Kind.of("kill-stage"))
        .hasMessage("[kill-stage]: not a checkpoint fault; expected fail-checkpoint-write or corrupt-checkpoint");
    assertThat(CheckpointFault.at(List.of(new CheckpointFault(CheckpointFault.Kind.CORRUPT, 1, 10)), 1, 10))
        .isEqualTo("corrupt-checkpoint");
    assertThat(new CheckpointFault(CheckpointFault.Kind.FAIL_WRITE, 2, 5)).hasToString("fail-checkpoint-write:2@5");
  }
}
