package io.zbpp.protocol.msg;

import java.util.List;

/**
 * Coordinator → every stage, once all stages loaded and before the first {@link RunIteration}, when the stages
 * have data planes: every stage's {@link DataEndpoint}, by stage index. Each stage links to the stages it
 * exchanges tensors with (the lower stage of a pair connects, the higher one accepts); activations and
 * gradients then travel over those links instead of as {@link TensorFrame} messages.
 */
public record DataPeers(JobEpoch job, List<DataEndpoint> stages) implements StageCommand, WireMessage {
  public DataPeers {
    stages = List.copyOf(stages);
  }
}
