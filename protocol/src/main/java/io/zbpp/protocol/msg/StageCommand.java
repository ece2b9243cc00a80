package io.zbpp.protocol.msg;

/**
 * What a stage actor accepts. The wire messages are {@link LoadProgram}, {@link DataPeers}, {@link SwapProgram},
 * {@link RunIteration}, {@link TensorFrame}, {@link FetchParameters} and {@link StopStage}; a stage actor may add local-only
 * messages (to itself) that implement this interface without {@link WireMessage}.
 */
public interface StageCommand {
  /** The job incarnation the command belongs to; a stage rejects an older epoch. */
  JobEpoch job();
}
