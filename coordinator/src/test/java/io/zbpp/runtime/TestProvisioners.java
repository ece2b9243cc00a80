package io.zbpp.runtime;

import io.zbpp.protocol.msg.StageCommand;
import java.util.List;
import java.util.function.BiFunction;
import java.util.stream.IntStream;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/** Provisioners for coordinator tests: spawn what a function says and answer at once, or never answer. */
final class TestProvisioners {
  private TestProvisioners() {}

  static Behavior<StageProvisioner.Command> of(
      BiFunction<ActorContext<StageProvisioner.Command>, StageProvisioner.Provision, List<ActorRef<StageCommand>>> spawn) {
    return Behaviors.setup(ctx -> Behaviors.receive(StageProvisioner.Command.class)
        .onMessage(StageProvisioner.Provision.class, r -> {
          List<ActorRef<StageCommand>> refs = spawn.apply(ctx, r);
          r.replyTo().tell(new StageProvisioner.Provisioned(r.job(), refs,
              IntStream.range(0, refs.size()).mapToObj(s -> "test/stage-" + s).toList()));
          return Behaviors.same();
        })
        .onMessage(StageProvisioner.Release.class, r -> Behaviors.same())
        .build());
  }
}
