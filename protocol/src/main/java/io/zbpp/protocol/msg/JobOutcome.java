package io.zbpp.protocol.msg;

/** The reply to {@link SubmitJob}: {@link JobFinished}, {@link JobFailed}, or {@link JobRejected} (a bad spec). */
public sealed interface JobOutcome extends WireMessage permits JobFinished, JobFailed, JobRejected {
  JobEpoch job();
}
