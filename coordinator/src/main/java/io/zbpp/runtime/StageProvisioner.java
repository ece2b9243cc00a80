package io.zbpp.runtime;

import io.zbpp.protocol.msg.CoordinatorCommand;
import io.zbpp.protocol.msg.JobEpoch;
import io.zbpp.protocol.msg.ModelSpec;
import io.zbpp.protocol.msg.StageCommand;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * Where a job's stage actors come from: an actor that the coordinator asks for stages and that answers when they
 * exist. The coordinator cannot see the stage actor's classes (it never depends on gpu-ops or stage-actor), so
 * the deployment hands it a provisioner's behavior ({@link Coordinator#create}), which the coordinator spawns as
 * its child. In one JVM, {@link InProcessStageProvisioner} spawns stage actors next to it; a cluster provisioner
 * finds stage hosts on other nodes (e.g. through the Receptionist) and asks each to start a stage actor.
 *
 * <p>The exchange: the coordinator sends one {@link Provision} per job incarnation; the provisioner answers
 * {@code replyTo} with exactly one {@link Provisioned} (one stage per stage index, in order) or
 * {@link ProvisionFailed} naming what is missing, within {@link Provision#timeout()}. The coordinator gives up
 * a little after that timeout on its own and stops any stages that arrive later. When the job ends the
 * coordinator stops the stages itself ({@code StopStage}) and tells the provisioner {@link Release}, so it can
 * reclaim the slots.
 *
 * <p>These messages stay inside the coordinator's JVM (they are not protobuf): a provisioner that reaches
 * other processes sends its own wire messages built from the request's fields, which carry everything a stage
 * host needs.
 */
public interface StageProvisioner {
  /** What a provisioner accepts. */
  sealed interface Command extends NoSerializationVerificationNeeded permits Provision, Release {}

  /** The provisioner's answer to {@link Provision}. */
  sealed interface Reply extends CoordinatorCommand, NoSerializationVerificationNeeded
      permits Provisioned, ProvisionFailed {
    JobEpoch job();
  }

  /**
   * Coordinator → provisioner: start {@code stages} stage actors for job incarnation {@code job}.
   *
   * @param job the job and its epoch; every stage of it is fenced by this epoch
   * @param stages p, the stage slots needed
   * @param chunksPerStage v, the model chunks each stage will hold (a host may size its devices by it)
   * @param model what the stages will build (its backend says which device a slot needs)
   * @param timeout answer within this
   * @param replyTo where the {@link Reply} goes
   */
  record Provision(JobEpoch job, int stages, int chunksPerStage, ModelSpec model, Duration timeout,
      ActorRef<Reply> replyTo) implements Command {
    public Provision {
      Objects.requireNonNull(job, "job");
      Objects.requireNonNull(model, "model");
      Objects.requireNonNull(timeout, "timeout");
      Objects.requireNonNull(replyTo, "replyTo");
    }
  }

  /** Coordinator → provisioner: the job incarnation ended and its stages were told to stop. */
  record Release(JobEpoch job) implements Command {}

  /**
   * The stages, by stage index, and a description of where each runs (e.g. {@code local/stage-2},
   * {@code worker@host:2552/device-0}) that the coordinator reports to the client.
   */
  record Provisioned(JobEpoch job, List<ActorRef<StageCommand>> stages, List<String> placement) implements Reply {
    public Provisioned {
      stages = List.copyOf(stages);
      placement = List.copyOf(placement);
      if (placement.size() != stages.size()) {
        throw new IllegalArgumentException("placement of " + placement.size() + " stages for " + stages.size());
      }
    }
  }

  /**
   * Not enough stages: {@code reason} names what is missing (e.g. {@code needed 4 stage slots, found 2}).
   * The provisioner stopped any stage it had started for this job.
   */
  record ProvisionFailed(JobEpoch job, String reason) implements Reply {}
}
