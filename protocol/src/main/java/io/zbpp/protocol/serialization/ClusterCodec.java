package io.zbpp.protocol.serialization;

import static io.zbpp.protocol.serialization.WireValues.job;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.zbpp.protocol.ClusterWire;
import io.zbpp.protocol.cluster.ClusterMessage;
import io.zbpp.protocol.cluster.DescribeHost;
import io.zbpp.protocol.cluster.HostDescribed;
import io.zbpp.protocol.cluster.SpawnFailed;
import io.zbpp.protocol.cluster.SpawnStages;
import io.zbpp.protocol.cluster.StageSlot;
import io.zbpp.protocol.cluster.StagesSpawned;
import java.util.Map;

/**
 * Maps every {@link ClusterMessage} record to its protobuf message of {@code cluster.proto} and back; the
 * manifest is the record's simple name.
 */
public final class ClusterCodec {
  @FunctionalInterface
  private interface Parser {
    ClusterMessage parse(byte[] bytes) throws InvalidProtocolBufferException;
  }

  private final RefCodec refs;
  private final Map<String, Parser> parsers = Map.of(
      "DescribeHost", b -> new DescribeHost(refs().decode(ClusterWire.DescribeHost.parseFrom(b).getReplyTo())),
      "HostDescribed", b -> described(ClusterWire.HostDescribed.parseFrom(b)),
      "SpawnStages", b -> spawn(ClusterWire.SpawnStages.parseFrom(b)),
      "StagesSpawned", b -> spawned(ClusterWire.StagesSpawned.parseFrom(b)),
      "SpawnFailed", b -> failed(ClusterWire.SpawnFailed.parseFrom(b)));

  public ClusterCodec(RefCodec refs) {
    this.refs = refs;
  }

  private RefCodec refs() {
    return refs;
  }

  public static String manifest(ClusterMessage m) {
    return m.getClass().getSimpleName();
  }

  public byte[] toBinary(ClusterMessage m) {
    return toProto(m).toByteArray();
  }

  /** @throws IllegalArgumentException for an unknown manifest or bytes that do not parse */
  public ClusterMessage fromBinary(byte[] bytes, String manifest) {
    Parser p = parsers.get(manifest);
    if (p == null) {
      throw new IllegalArgumentException("unknown zbpp cluster message manifest [" + manifest + "]");
    }
    try {
      return p.parse(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException("bad bytes for zbpp cluster message " + manifest + ": " + e.getMessage(), e);
    }
  }

  public Message toProto(ClusterMessage m) {
    if (m instanceof DescribeHost d) {
      return ClusterWire.DescribeHost.newBuilder().setReplyTo(refs.encode(d.replyTo())).build();
    } else if (m instanceof HostDescribed h) {
      return ClusterWire.HostDescribed.newBuilder().setHost(refs.encode(h.host())).setNode(h.node())
          .setDevices(h.devices()).addAllFreeDevices(h.freeDevices()).setBackend(h.backend()).build();
    } else if (m instanceof SpawnStages s) {
      return ClusterWire.SpawnStages.newBuilder().setJob(job(s.job())).setReplyTo(refs.encode(s.replyTo()))
          .addAllSlots(s.slots().stream().map(x -> ClusterWire.StageSlot.newBuilder().setStage(x.stage())
              .setDevice(x.device()).build()).toList()).build();
    } else if (m instanceof StagesSpawned s) {
      return ClusterWire.StagesSpawned.newBuilder().setJob(job(s.job())).setNode(s.node())
          .addAllStages(s.stages().stream().map(x -> ClusterWire.SpawnedStage.newBuilder().setStage(x.stage())
              .setDevice(x.device()).setRef(refs.encode(x.ref())).build()).toList()).build();
    } else if (m instanceof SpawnFailed f) {
      return ClusterWire.SpawnFailed.newBuilder().setJob(job(f.job())).setNode(f.node()).setMessage(f.message())
          .build();
    }
    throw new IllegalArgumentException("no protobuf mapping for " + m.getClass().getName());
  }

  private HostDescribed described(ClusterWire.HostDescribed h) {
    return new HostDescribed(refs.decode(h.getHost()), h.getNode(), h.getDevices(), h.getFreeDevicesList(),
        h.getBackend());
  }

  private SpawnStages spawn(ClusterWire.SpawnStages s) {
    return new SpawnStages(job(s.getJob()), s.getSlotsList().stream()
        .map(x -> new StageSlot(x.getStage(), x.getDevice())).toList(), refs.decode(s.getReplyTo()));
  }

  private StagesSpawned spawned(ClusterWire.StagesSpawned s) {
    return new StagesSpawned(job(s.getJob()), s.getNode(), s.getStagesList().stream()
        .map(x -> new StagesSpawned.Spawned(x.getStage(), x.getDevice(), refs.decode(x.getRef()))).toList());
  }

  private static SpawnFailed failed(ClusterWire.SpawnFailed f) {
    return new SpawnFailed(job(f.getJob()), f.getNode(), f.getMessage());
  }
}
