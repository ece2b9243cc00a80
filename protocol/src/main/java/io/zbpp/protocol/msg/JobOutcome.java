package io.zbpp.protocol.msg;

/** The reply to {@link SubmitJob}: {@link JobFinished} or {@link JobFailed}. */
public sealed interface JobOutcome extends WireMessage permits JobFinished, JobFailed {
  JobEpoch job();
}
