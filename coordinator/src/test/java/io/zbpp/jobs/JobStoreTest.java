package io.zbpp.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.zbpp.protocol.jobs.Iteration;
import io.zbpp.protocol.jobs.Job;
import io.zbpp.protocol.jobs.JobEvent;
import io.zbpp.protocol.jobs.JobResult;
import io.zbpp.protocol.jobs.JobSpec;
import io.zbpp.protocol.jobs.JobState;
import io.zbpp.protocol.jobs.Pass;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobStoreTest {
  @TempDir Path dir;

  private static Job job(String id, String owner) {
    return Job.newBuilder().setId(id).setName("n-" + id).setOwner(owner).setState(JobState.QUEUED)
        .setSpec(JobSpec.newBuilder().setSchedule("zb-2p").setStages(4).setMicrobatches(8).setIterations(3))
        .setSubmittedMillis(1000).build();
  }

  @Test
  void reopenedStoreListsEveryJobWithItsResultAndKeepsRunningAndQueuedOnes() {
    try (JobStore s = JobStore.open(dir)) {
      assertThat(s.nextSeq()).isEqualTo(1);
      s.insert(1, job("job-1", "alice"));
      s.insert(2, job("job-2", "bob"));
      s.insert(3, job("job-3", "bob"));
      s.transition("job-1", JobState.RUNNING, "", 2000);
      s.appendEvent(JobEvent.newBuilder().setJobId("job-1").setSequence(0)
          .setIteration(Iteration.newBuilder().setIteration(0).setLoss(2.5)).build());
      s.transition("job-1", JobState.SUCCEEDED, "", 3000);
      s.putResult(JobResult.newBuilder().setId("job-1").setState(JobState.SUCCEEDED).addLosses(2.5)
          .setParamsSha256("ab".repeat(32)).build());
      s.transition("job-2", JobState.RUNNING, "", 2500);
    }
    try (JobStore s = JobStore.open(dir)) {
      List<Job> all = s.list(JobState.JOB_STATE_UNSPECIFIED, 0, 100);
      assertThat(all).extracting(Job::getId).containsExactly("job-1", "job-2", "job-3");
      assertThat(all).extracting(Job::getState).as("opening changes no job: the API resumes them")
          .containsExactly(JobState.SUCCEEDED, JobState.RUNNING, JobState.QUEUED);
      assertThat(all.get(2).getReason()).isEmpty();
      assertThat(all.get(0).getIterationsDone()).isEqualTo(1);
      assertThat(all.get(0).getSpec().getSchedule()).isEqualTo("zb-2p");
      assertThat(s.result("job-1")).get().extracting(JobResult::getParamsSha256).isEqualTo("ab".repeat(32));
      assertThat(s.losses("job-1")).containsExactly(2.5);
      assertThat(s.transitions("job-2")).containsExactly(JobState.QUEUED, JobState.RUNNING);
      assertThat(s.list(JobState.RUNNING, 0, 1)).extracting(Job::getId).containsExactly("job-2");
      // a job resumed after a failover runs the iterations after its checkpoint again: the latest record wins
      for (int seq = 0; seq < 3; seq++) {
        s.appendEvent(JobEvent.newBuilder().setJobId("job-2").setSequence(seq).setIteration(Iteration.newBuilder()
            .setIteration(seq == 2 ? 0 : seq).setLoss(4 - seq).setMillis(10 + seq)).build());
      }
      assertThat(s.losses("job-2")).containsExactly(2.0, 3.0);
      assertThat(s.firstIterations("job-2", 3)).containsExactly(List.of(2.0, 3.0, Double.NaN),
          List.of(12.0, 11.0, Double.NaN));
      s.appendEvent(JobEvent.newBuilder().setJobId("job-2").setSequence(3).setIteration(Iteration.newBuilder()
          .setIteration(3).setLoss(0.5).setMillis(9)).build());
      assertThat(s.firstIterations("job-2", 4).get(0)).as("an iteration not recorded is NaN, not the next one's")
          .containsExactly(2.0, 3.0, Double.NaN, 0.5);
      assertThat(s.list(JobState.JOB_STATE_UNSPECIFIED, s.seqOf("job-1"), 100)).hasSize(2);
      assertThat(s.nextSeq()).isEqualTo(4);
      assertThat(s.get("nope")).isEmpty();
    }
  }

  @Test
  void keepsOnlyTheLatestIterationsPassesBesideEventsWithoutThem() {
    try (JobStore s = JobStore.open(dir)) {
      s.insert(1, job("job-1", "alice"));
      assertThat(s.timeline("job-1")).isEmpty();
      for (int it = 0; it < 2; it++) {
        s.appendEvent(JobEvent.newBuilder().setJobId("job-1").setSequence(it).setIteration(Iteration.newBuilder()
            .setIteration(it).addPasses(Pass.newBuilder().setStage(0).setOp("F").setEndMillis(1.5 + it))
            .addPasses(Pass.newBuilder().setStage(1).setOp("F").setStartMillis(2).setEndMillis(3))).build());
      }
    }
    try (JobStore s = JobStore.open(dir)) {
      assertThat(s.events("job-1")).filteredOn(JobEvent::hasIteration)
          .extracting(e -> e.getIteration().getPassesCount()).containsExactly(0, 0);
      assertThat(s.timeline("job-1")).get().satisfies(it -> {
        assertThat(it.getIteration()).isEqualTo(1);
        assertThat(it.getPassesList()).extracting(Pass::getEndMillis).containsExactly(2.5, 3.0);
      });
    }
  }
}
