package io.zbpp.protocol.msg;

/**
 * What a coordinator tells a job's progress listener ({@link SubmitJob#progress()}): once {@link JobStarted}
 * (the plan and placement it chose), then a {@link JobProgress} per iteration, in order.
 */
public sealed interface JobEvent extends WireMessage permits JobStarted, JobProgress {
  JobEpoch job();
}
