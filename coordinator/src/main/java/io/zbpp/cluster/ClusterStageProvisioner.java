package io.zbpp.cluster;

import io.zbpp.runtime.StageProvisioner;
import java.util.List;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The {@link StageProvisioner} of a cluster (docs/cluster.md "Placement"): each {@link
 * StageProvisioner.Provision} gets its own {@link ClusterProvisioning}, which places the job's stages on the
 * workers of the job's backend and answers once. {@link StageProvisioner.Release} needs nothing: a worker frees
 * a device when its stage actor stops, and the coordinator stops them.
 */
public final class ClusterStageProvisioner {
  private ClusterStageProvisioner() {}

  public static Behavior<StageProvisioner.Command> create() {
    return create(ClusterProvisioning.EVERY_NODE);
  }

  /** Places stages only on the workers {@code serving} accepts (on a cluster: the Up members). */
  public static Behavior<StageProvisioner.Command> create(
      java.util.function.BiPredicate<org.apache.pekko.actor.typed.ActorSystem<?>, String> serving) {
    return Behaviors.setup(ctx -> Behaviors.receive(StageProvisioner.Command.class)
        .onMessage(StageProvisioner.Provision.class, r -> {
          ctx.spawn(answering(r, serving), "provision-" + r.job().epoch());
          return Behaviors.same();
        })
        .onMessage(StageProvisioner.Release.class, r -> Behaviors.same())
        .build());
  }

  /** Runs one provisioning and turns its outcome into the coordinator's {@link StageProvisioner.Reply}. */
  private static Behavior<ClusterProvisioning.Outcome> answering(StageProvisioner.Provision r,
      java.util.function.BiPredicate<org.apache.pekko.actor.typed.ActorSystem<?>, String> serving) {
    return Behaviors.setup(ctx -> {
      ctx.spawn(ClusterProvisioning.create(r.job(), r.stages(), r.model().backend(), r.timeout(), serving,
          ctx.getSelf()), "placing");
      return Behaviors.receive(ClusterProvisioning.Outcome.class)
          .onMessage(ClusterProvisioning.Provisioned.class, p -> {
            r.replyTo().tell(new StageProvisioner.Provisioned(r.job(), p.stages(), placement(p.placement())));
            return Behaviors.stopped();
          })
          .onMessage(ClusterProvisioning.ProvisioningFailed.class, f -> {
            r.replyTo().tell(new StageProvisioner.ProvisionFailed(r.job(), f.message()));
            return Behaviors.stopped();
          })
          .build();
    });
  }

  /** Per stage: {@code pekko://zbpp@10.0.0.6:40113 device 1}. */
  static List<String> placement(StagePlacement p) {
    return p.slots().stream().map(s -> s.node() + " device " + s.device()).toList();
  }
}
