package io.zbpp.protocol.msg;

/**
 * The reply to {@link SubmitJob} when the spec itself is bad: no stage was provisioned and nothing ran.
 * {@code message} is one line that starts with the job-spec field it is about (record component names:
 * {@code "stages [0]: must be at least 1"}), so that a client can name its own option for that field.
 */
public record JobRejected(JobEpoch job, String message) implements JobOutcome {
  /** The job-spec field the message is about: its text before the first {@code " ["}, or empty. */
  public String field() {
    int at = message.indexOf(" [");
    return at < 0 ? "" : message.substring(0, at);
  }
}
