package io.zbpp.protocol.serialization;

import org.apache.pekko.actor.typed.ActorRef;

/**
 * Actor references as strings (a protobuf message cannot hold an ActorRef): in an actor system
 * this is {@code ActorRefResolver}'s serialization format.
 */
public interface RefCodec {
  String encode(ActorRef<?> ref);

  <T> ActorRef<T> decode(String text);
}
