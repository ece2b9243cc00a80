package io.zbpp.protocol.serialization;

import io.zbpp.protocol.cluster.ClusterMessage;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.serialization.SerializerWithStringManifest;

/**
 * The Pekko serializer of every {@link ClusterMessage}: protobuf bytes from {@link ClusterCodec}, actor
 * references as {@code ActorRefResolver} strings. Bound in the protocol module's {@code reference.conf}.
 */
public final class ClusterSerializer extends SerializerWithStringManifest {
  /** Unique among the serializers of one actor system; {@link ZbppSerializer} is 7301. */
  public static final int IDENTIFIER = 7302;

  private final ClusterCodec codec;

  public ClusterSerializer(ExtendedActorSystem system) {
    this.codec = new ClusterCodec(RefCodec.of(system));
  }

  @Override
  public int identifier() {
    return IDENTIFIER;
  }

  @Override
  public String manifest(Object o) {
    return ClusterCodec.manifest(cluster(o));
  }

  @Override
  public byte[] toBinary(Object o) {
    return codec.toBinary(cluster(o));
  }

  @Override
  public Object fromBinary(byte[] bytes, String manifest) {
    return codec.fromBinary(bytes, manifest);
  }

  private static ClusterMessage cluster(Object o) {
    if (o instanceof ClusterMessage m) {
      return m;
    }
    throw new IllegalArgumentException("ClusterSerializer cannot serialize " + o.getClass().getName());
  }
}
