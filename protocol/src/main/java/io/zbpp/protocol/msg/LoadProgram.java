package io.zbpp.protocol.msg;

import java.util.List;
import java.util.Objects;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * Coordinator → stage: the program this stage runs every iteration, the placement (stage of each chunk),
 * the largest tensor payload per frame, every stage's reference (its neighbours among them) and where to report. A stage answers
 * {@link ProgramLoaded}; a later epoch replaces the program. {@code optimizer} tells how the program's
 * NORM/STEP/VALIDATE ops decide (and which iteration a stage poisons). A stage actor needs nothing else: it
 * takes its index from {@code program.stage()} and builds the chunks {@code program.chunks()} of {@code model}.
 */
public record LoadProgram(JobEpoch job, StageProgram program, int microbatches, List<Integer> chunkStage,
    int frameBytes, List<ActorRef<StageCommand>> stages, ActorRef<CoordinatorCommand> coordinator,
    OptimizerOptions optimizer, ModelSpec model) implements StageCommand, WireMessage {
  public LoadProgram {
    Objects.requireNonNull(optimizer, "optimizer");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(job, "job");
    Objects.requireNonNull(program, "program");
    Objects.requireNonNull(coordinator, "coordinator");
    chunkStage = List.copyOf(chunkStage);
    if (frameBytes < 4) {
      throw new IllegalArgumentException("frame-bytes [" + frameBytes + "]: must be at least 4");
    }
    stages = List.copyOf(stages);
  }
}
