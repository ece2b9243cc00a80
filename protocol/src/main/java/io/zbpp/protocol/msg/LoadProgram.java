package io.zbpp.protocol.msg;

import io.zbpp.faults.Injection;
import java.util.List;
import java.util.Objects;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * Coordinator → stage: the program this stage runs every iteration, the placement (stage of each chunk),
 * the largest tensor payload per frame, every stage's reference (its neighbours among them) and where to report. A stage answers
 * {@link ProgramLoaded}; a later epoch replaces the program. {@code optimizer} tells how the program's
 * NORM/STEP/VALIDATE ops decide (and which iteration a stage poisons). A stage actor needs nothing else: it
 * takes its index from {@code program.stage()} and builds the chunks {@code program.chunks()} of {@code model}.
 * {@code inject} lists the faults this stage injects in this epoch (docs/faults.md); usually empty.
 */
public record LoadProgram(JobEpoch job, StageProgram program, int microbatches, List<Integer> chunkStage,
    int frameBytes, List<ActorRef<StageCommand>> stages, ActorRef<CoordinatorCommand> coordinator,
    OptimizerOptions optimizer, ModelSpec model, List<Injection> inject) implements StageCommand, WireMessage {
  /** A program that injects no fault. */
  public LoadProgram(JobEpoch job, StageProgram program, int microbatches, List<Integer> chunkStage,
      int frameBytes, List<ActorRef<StageCommand>> stages, ActorRef<CoordinatorCommand> coordinator,
      OptimizerOptions optimizer, ModelSpec model) {
    this(job, program, microbatches, chunkStage, frameBytes, stages, coordinator, optimizer, model, List.of());
  }

  public LoadProgram {
    inject = List.copyOf(inject);
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
