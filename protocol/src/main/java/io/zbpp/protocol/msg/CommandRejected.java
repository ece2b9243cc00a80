package io.zbpp.protocol.msg;

/**
 * Stage → coordinator: a command was not executed (stale epoch, another job, or not valid in the stage's
 * state). {@code job} is the job of the rejected command.
 */
public record CommandRejected(JobEpoch job, int stage, String reason) implements CoordinatorCommand, WireMessage {
  /**
   * Why a stage paused after its own failure rejects commands: that failure was reported ({@link StageFailed}), so
   * the rejection adds nothing to it.
   */
  public static final String PAUSED = "the stage is paused after a failure; a LoadProgram resumes it";

  /** Whether the stage rejected the command only because it is paused after a failure it reported. */
  public boolean paused() {
    return reason.endsWith(PAUSED);
  }
}
