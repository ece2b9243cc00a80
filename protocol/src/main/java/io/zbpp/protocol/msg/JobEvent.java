package io.zbpp.protocol.msg;

/**
 * What a coordinator tells a job's progress listener ({@link SubmitJob#progress()}): once {@link JobStarted}
 * (the plan and placement it chose), then a {@link JobProgress} per iteration, in order, and a
 * {@link CheckpointProgress} per checkpoint written, in order (written beside the training: possibly after later
 * iterations' progress), all before the job's outcome.
 */
public sealed interface JobEvent extends WireMessage permits JobStarted, JobProgress, CheckpointProgress,
    JobRecovered {
  JobEpoch job();
}
