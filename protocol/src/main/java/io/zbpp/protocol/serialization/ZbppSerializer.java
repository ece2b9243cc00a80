package io.zbpp.protocol.serialization;

import io.zbpp.protocol.msg.WireMessage;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.serialization.SerializerWithStringManifest;

/**
 * The Pekko serializer of every {@link WireMessage}: protobuf bytes from {@link WireCodec}, actor references
 * as {@code ActorRefResolver} strings. Bound in the protocol module's {@code reference.conf}; no Java
 * serialization anywhere.
 */
public final class ZbppSerializer extends SerializerWithStringManifest {
  /** Unique among the serializers of one actor system (Pekko's own use ids below 100). */
  public static final int IDENTIFIER = 7301;

  private final WireCodec codec;

  public ZbppSerializer(ExtendedActorSystem system) {
    this.codec = new WireCodec(RefCodec.of(system));
  }

  @Override
  public int identifier() {
    return IDENTIFIER;
  }

  @Override
  public String manifest(Object o) {
    return WireCodec.manifest(wire(o));
  }

  @Override
  public byte[] toBinary(Object o) {
    return codec.toBinary(wire(o));
  }

  @Override
  public Object fromBinary(byte[] bytes, String manifest) {
    return codec.fromBinary(bytes, manifest);
  }

  private static WireMessage wire(Object o) {
    if (o instanceof WireMessage m) {
      return m;
    }
    throw new IllegalArgumentException("ZbppSerializer cannot serialize " + o.getClass().getName());
  }
}
