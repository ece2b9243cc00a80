package io.zbpp.protocol.serialization;

import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.javadsl.Adapter;

/**
 * Actor references as strings (a protobuf message cannot hold an ActorRef): in an actor system
 * this is {@code ActorRefResolver}'s serialization format.
 */
public interface RefCodec {
  String encode(ActorRef<?> ref);

  <T> ActorRef<T> decode(String text);

  /** {@code system}'s {@link ActorRefResolver}, as the serializers bound to that system use it. */
  static RefCodec of(ExtendedActorSystem system) {
    ActorRefResolver resolver = ActorRefResolver.get(Adapter.toTyped(system));
    return new RefCodec() {
      @Override
      public String encode(ActorRef<?> ref) {
        return resolver.toSerializationFormat(ref);
      }

      @Override
      public <T> ActorRef<T> decode(String text) {
        return resolver.resolveActorRef(text);
      }
    };
  }
}
