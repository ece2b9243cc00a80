package io.zbpp.protocol.serialization;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zbpp.protocol.cluster.ClusterMessage;
import io.zbpp.protocol.cluster.DescribeHost;
import io.zbpp.protocol.cluster.HostDescribed;
import io.zbpp.protocol.cluster.ProvisioningEvent;
import io.zbpp.protocol.cluster.SpawnFailed;
import io.zbpp.protocol.cluster.SpawnStages;
import io.zbpp.protocol.cluster.StageHostCommand;
import io.zbpp.protocol.cluster.StageSlot;
import io.zbpp.protocol.cluster.StagesSpawned;
import io.zbpp.protocol.msg.JobEpoch;
import io.zbpp.protocol.msg.StageCommand;
import java.util.List;
import java.util.stream.Stream;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ClusterSerializerTest {
  private static final ActorTestKit KIT = ActorTestKit.create();
  private static final JobEpoch JOB = new JobEpoch("job-3", 2);

  @AfterAll
  static void shutdown() {
    KIT.shutdownTestKit();
  }

  static Stream<ClusterMessage> everyMessage() {
    var events = KIT.<ProvisioningEvent>createTestProbe().ref();
    var host = KIT.<StageHostCommand>createTestProbe().ref();
    var stage = KIT.<StageCommand>createTestProbe().ref();
    return Stream.of(
        new DescribeHost(events),
        new HostDescribed(host, "pekko://zbpp@10.0.0.5:25520", 4, List.of(0, 2, 3), "cuda"),
        new HostDescribed(host, "pekko://zbpp@10.0.0.6:25520", 1, List.of(), "cpu"),
        new SpawnStages(JOB, List.of(new StageSlot(2, 0), new StageSlot(3, 1)), events),
        new StagesSpawned(JOB, "pekko://zbpp@10.0.0.5:25520", List.of(new StagesSpawned.Spawned(2, 0, stage),
            new StagesSpawned.Spawned(3, 1, stage))),
        new SpawnFailed(JOB, "pekko://zbpp@10.0.0.5:25520", "device 1 runs stage 0 of job-1@1"));
  }

  @ParameterizedTest
  @MethodSource("everyMessage")
  void roundTripsThroughTheBoundSerializer(ClusterMessage m) {
    var serialization = SerializationExtension.get(Adapter.toClassic(KIT.system()));
    var serializer = serialization.findSerializerFor(m);
    assertThat(serializer).isInstanceOf(ClusterSerializer.class);
    byte[] bytes = serialization.serialize(m).get();
    Object back = serialization.deserialize(bytes, serializer.identifier(), Serializers.manifestFor(serializer, m))
        .get();
    assertThat(back).isEqualTo(m);
  }

  @Test
  void everyManifestHasAParser() {
    assertThat(everyMessage().map(ClusterCodec::manifest).distinct())
        .containsExactlyInAnyOrder("DescribeHost", "HostDescribed", "SpawnStages", "StagesSpawned", "SpawnFailed");
  }

  @Test
  void rejectsAnUnknownManifest() {
    var codec = new ClusterSerializer(
        (org.apache.pekko.actor.ExtendedActorSystem) Adapter.toClassic(KIT.system()));
    assertThatThrownBy(() -> codec.fromBinary(new byte[0], "Nope"))
        .hasMessage("unknown zbpp cluster message manifest [Nope]");
  }
}
