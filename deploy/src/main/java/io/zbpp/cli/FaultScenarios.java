package io.zbpp.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.zbpp.checkpoint.CheckpointPolicy;
import io.zbpp.checkpoint.DirectoryCheckpointStore;
import io.zbpp.faults.Injection;
import io.zbpp.gpu.device.Backend;
import io.zbpp.gpu.model.GptConfig;
import io.zbpp.gpu.pipeline.RunnerSpec;
import io.zbpp.protocol.msg.CoordinatorCommand;
import io.zbpp.protocol.msg.ModelShape;
import io.zbpp.runtime.ClusterTraining;
import io.zbpp.runtime.DataPlaneKind;
import io.zbpp.runtime.FaultPolicy;
import io.zbpp.runtime.LocalTraining;
import io.zbpp.runtime.TrainReport;
import io.zbpp.runtime.TrainSpec;
import io.zbpp.server.ClusterCoordinator;
import io.zbpp.server.ClusterNode;
import io.zbpp.server.NodeSettings;
import io.zbpp.server.Roles;
import io.zbpp.server.WorkerStages;
import io.zbpp.stage.ModelChunks;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The scenario matrix of {@code zbpp bench faults} (docs/faults.md "Figures"): the tiny GPT on the cpu backend,
 * p=2, m=4, each fault injected in iteration 1 of a job on each schedule, against the same job without a fault.
 * Stage faults run in one JVM ({@link LocalTraining}, every message serialized); kill-worker runs on a cluster of
 * actor systems in this JVM (a coordinator, one-device workers with a spare per job, a client, over Artery).
 */
final class FaultScenarios {
  static final int STAGES = 2;
  static final int MICROBATCHES = 4;
  private static final String MODEL = "tiny";
  private static final long SEED = 1;

  /**
   * A fault to inject (several: separated by spaces); {@code onWorkers}: it needs stages on cluster workers; {@code snapshotEvery}: the recovery
   * point is an in-memory snapshot taken every that many iterations (0: the start); {@code checkpointEvery}: the
   * job writes a checkpoint every that many iterations into a temporary directory (0: none); {@code plane}: how
   * tensors travel between the stages.
   */
  record Scenario(String name, String inject, boolean onWorkers, Duration watchdogFloor, int snapshotEvery,
      int checkpointEvery, DataPlaneKind plane) {
    Scenario(String name, String inject, boolean onWorkers) {
      this(name, inject, onWorkers, FaultPolicy.WATCHDOG_FLOOR, 0, 0, DataPlaneKind.DEFAULT);
    }

    Scenario(String name, String inject, Duration watchdogFloor, int snapshotEvery) {
      this(name, inject, false, watchdogFloor, snapshotEvery, 0, DataPlaneKind.DEFAULT);
    }

    static Scenario withCheckpoints(String name, String inject, int every) {
      return new Scenario(name, inject, false, FaultPolicy.WATCHDOG_FLOOR, 0, every, DataPlaneKind.DEFAULT);
    }

    static Scenario onNetty(String name, String inject) {
      return new Scenario(name, inject, false, FaultPolicy.WATCHDOG_FLOOR, 0, 0, DataPlaneKind.NETTY);
    }
  }

  static final List<Scenario> MATRIX = List.of(
      new Scenario("stage-exception", "stage-exception:1@1.2", false),
      new Scenario("kill-stage", "kill-stage:0@1.3", false),
      new Scenario("kill-stage+snap", "kill-stage:0@1.3", FaultPolicy.WATCHDOG_FLOOR, 1),
      // the slow-down gives checkpoint 1's background writes time to finish before the kill
      Scenario.withCheckpoints("kill-stage+ckpt", "slow-stage:0@1x100 kill-stage:0@1.3", 1),
      new Scenario("kill-worker", "kill-worker:1@1.2", true),
      new Scenario("slow-stage", "slow-stage:1@1x3", false),
      new Scenario("hung-stage", "slow-stage:1@1.1x1000000", Duration.ofSeconds(3), 0),
      Scenario.onNetty("corrupt-frame", "corrupt-frame:1@1.2"),
      Scenario.onNetty("drop-frame", "drop-frame:1@1.1"),
      Scenario.withCheckpoints("fail-checkpoint-write", "fail-checkpoint-write:1@1", 1));

  /**
   * One scenario's outcome.
   *
   * @param detected faults the job detected
   * @param recovered the job finished, every detected fault recovered from
   * @param identical losses and parameter digest equal the fault-free run's, bit for bit
   * @param failure why the job failed; empty when it finished
   */
  record Row(String scenario, String schedule, String injected, int detected, boolean recovered,
      int replayedIterations, double recoverySeconds, boolean identical, String failure) {}

  private FaultScenarios() {}

  static TrainSpec spec(String schedule, int iterations) {
    return spec(schedule, iterations, DataPlaneKind.DEFAULT);
  }

  private static TrainSpec spec(String schedule, int iterations, DataPlaneKind plane) {
    GptConfig c = GptConfig.preset(MODEL);
    return TrainSpec.builder(schedule, STAGES, MICROBATCHES).iterations(iterations).availableChunks(c.layers())
        .dataPlane(plane)
        .model(new ModelShape(c.layers(), c.hidden(), c.heads(), c.seqLen(), 1)).serializeMessages(true)
        .modelSpec(ModelChunks.specOf(RunnerSpec.of(MODEL, Backend.CPU, SEED, MICROBATCHES, 1, STAGES))).build();
  }

  /** Runs every scenario on every schedule, telling {@code done} each row as it comes. */
  static List<Row> run(List<String> schedules, int iterations, Consumer<Row> done) {
    List<Row> rows = new ArrayList<>();
    Map<String, TrainReport> clean = new HashMap<>();
    try (LocalTraining local = LocalTraining.open(true)) {
      for (String s : schedules) {
        clean.put(s, local.train(spec(s, iterations), FaultPolicy.defaults()));
      }
      for (Scenario sc : MATRIX) {
        for (String s : schedules) {
          if (!sc.onWorkers()) {
            Row r = row(sc, s, clean.get(s), () -> local(local, sc, spec(s, iterations, sc.plane())));
            rows.add(r);
            done.accept(r);
          }
        }
      }
    }
    for (Scenario sc : MATRIX) {
      if (sc.onWorkers()) {
        rows.addAll(onWorkers(sc, schedules, iterations, clean, done));
      }
    }
    return rows;
  }

  /** One scenario's job in one JVM; with checkpoints, into a temporary directory removed afterwards. */
  private static TrainReport local(LocalTraining local, Scenario sc, TrainSpec spec) {
    if (sc.checkpointEvery() == 0) {
      return local.train(spec, policy(sc));
    }
    Path dir = null;
    try {
      dir = Files.createTempDirectory("zbpp-bench-faults");
      return local.train(spec, policy(sc), new CheckpointPolicy(sc.checkpointEvery(),
          DirectoryCheckpointStore.DEFAULT_KEEP, dir.toString(), "", List.of()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      if (dir != null) {
        deleteTree(dir);
      }
    }
  }

  private static void deleteTree(Path dir) {
    try (java.util.stream.Stream<Path> all = Files.walk(dir)) {
      all.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temporary directory left behind
    }
  }

  private static FaultPolicy policy(Scenario sc) {
    return FaultPolicy.defaults().withInject(Injection.parseAll(List.of(sc.inject().split(" "))))
        .withWatchdog(FaultPolicy.WATCHDOG_FACTOR, sc.watchdogFloor()).withSnapshotEvery(sc.snapshotEvery());
  }

  private static Row row(Scenario sc, String schedule, TrainReport clean, java.util.function.Supplier<TrainReport> job) {
    try {
      TrainReport r = job.get();
      boolean identical = r.losses().equals(clean.losses()) && r.paramsSha256().equals(clean.paramsSha256());
      return new Row(sc.name(), schedule, sc.inject(), r.recovery().faultsDetected(),
          r.recovery().recoveries() == r.recovery().faultsDetected(), r.recovery().iterationsReplayed(),
          r.recovery().recoverySeconds(), identical, "");
    } catch (IllegalStateException e) {
      return new Row(sc.name(), schedule, sc.inject(), 0, false, 0, 0, false, e.getMessage());
    }
  }

  /** A cluster in this JVM with one spare worker per job (each job's fault takes one worker down). */
  private static List<Row> onWorkers(Scenario sc, List<String> schedules, int iterations,
      Map<String, TrainReport> clean, Consumer<Row> done) {
    NodeRun.quietTransport();
    Config config = ConfigFactory.parseString("""
        pekko.actor.serialize-messages = on
        pekko.coordinated-shutdown.exit-jvm = off
        pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off
        pekko.log-dead-letters-during-shutdown = off
        pekko.cluster.gossip-interval = 200ms
        pekko.cluster.leader-actions-interval = 200ms
        """);
    Duration up = Duration.ofSeconds(60);
    List<ClusterNode> nodes = new ArrayList<>();
    List<Row> rows = new ArrayList<>();
    try {
      ClusterNode coord = ClusterNode.start(settings(List.of()), Roles.COORDINATOR,
          Roles.coordinator(ClusterCoordinator.behavior(up, policy(sc))), config);
      nodes.add(coord);
      coord.awaitUp(up);
      for (int w = 0; w < STAGES + schedules.size(); w++) {
        nodes.add(ClusterNode.start(settings(List.of(coord.seed())), Roles.WORKER,
            Roles.worker(1, "cpu", WorkerStages.fromProgram()), config));
      }
      ClusterNode client = ClusterNode.start(settings(List.of(coord.seed())), Roles.CLIENT, ctx -> { }, config);
      nodes.add(client);
      nodes.forEach(n -> n.awaitUp(up));
      ActorRef<CoordinatorCommand> coordinator = Roles.singleton(client.system(),
          ClusterCoordinator.behavior(up, policy(sc)));
      for (String s : schedules) {
        Row r = row(sc, s, clean.get(s), () -> ClusterTraining.train(client.system(), coordinator,
            spec(s, iterations), new LocalTraining.Listener() { }));
        rows.add(r);
        done.accept(r);
      }
    } finally {
      nodes.forEach(ClusterNode::close);
    }
    return rows;
  }

  private static NodeSettings settings(List<String> seeds) {
    return new NodeSettings("127.0.0.1", 0, seeds, OptionalInt.empty(), Optional.empty(), Duration.ofSeconds(60));
  }
}
