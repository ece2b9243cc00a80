package io.zbpp.runtime;

import io.zbpp.protocol.msg.StageCommand;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The {@link StageProvisioner} of one JVM: spawns each stage actor as its own child, named
 * {@code stage-<epoch>-<index>}, and answers at once; placement {@code local/stage-<index>}. What a stage actor
 * is comes from the deployment ({@link StageBehavior}), since this module does not see the stage actor.
 */
public final class InProcessStageProvisioner {
  /** The behavior of a fresh stage actor for a request; it takes everything else from its LoadProgram. */
  @FunctionalInterface
  public interface StageBehavior {
    Behavior<StageCommand> stage(StageProvisioner.Provision request);
  }

  private InProcessStageProvisioner() {}

  public static Behavior<StageProvisioner.Command> create(StageBehavior stages) {
    return Behaviors.setup(ctx -> Behaviors.receive(StageProvisioner.Command.class)
        .onMessage(StageProvisioner.Provision.class, r -> {
          List<ActorRef<StageCommand>> refs = new ArrayList<>();
          List<String> placement = new ArrayList<>();
          for (int s = 0; s < r.stages(); s++) {
            refs.add(ctx.spawn(stages.stage(r), "stage-" + r.job().epoch() + "-" + s));
            placement.add("local/stage-" + s);
          }
          r.replyTo().tell(new StageProvisioner.Provisioned(r.job(), refs, placement));
          return Behaviors.same();
        })
        .onMessage(StageProvisioner.Release.class, r -> Behaviors.same())
        .build());
  }
}
