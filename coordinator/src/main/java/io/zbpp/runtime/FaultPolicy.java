package io.zbpp.runtime;

import io.zbpp.compile.Programs;
import io.zbpp.faults.Injection;
import io.zbpp.protocol.msg.ProgramOp;
import io.zbpp.faults.Injection.Kind;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * How a job meets faults (docs/faults.md): the faults it injects, the iteration watchdog (a deadline of
 * {@code watchdogFactor} × the expected iteration time, at least {@code watchdogFloor}), how many recoveries it
 * may make, how long a recovery waits for replacement stages, and every how many iterations the coordinator keeps
 * an in-memory snapshot of every stage as the recovery point ({@code snapshotEvery}; 0: none, recover from the
 * start; one JVM only — across nodes a snapshot is one message, which Artery's frame size bounds).
 */
public record FaultPolicy(List<Injection> inject, double watchdogFactor, Duration watchdogFloor, int maxRecoveries,
    Duration recoveryTimeout, int snapshotEvery) {
  public static final double WATCHDOG_FACTOR = 10;
  public static final Duration WATCHDOG_FLOOR = Duration.ofSeconds(30);
  public static final int MAX_RECOVERIES = 3;
  public static final Duration RECOVERY_TIMEOUT = Duration.ofSeconds(30);

  /**
   * The kinds this coordinator and its stages inject: the stage kinds at a program index; the frame kinds by the
   * sending stage's data plane (they travel in LoadProgram); the checkpoint kinds by the stages' checkpoint
   * writes ({@link JobCheckpoints}); kill-coordinator only in a coordinator process ({@link CoordinatorKill}).
   */
  static Set<Kind> handled() {
    return CoordinatorKill.armed() ? EnumSet.allOf(Kind.class) : EnumSet.complementOf(EnumSet.of(Kind.KILL_COORDINATOR));
  }

  /** The kinds whose ITERATION is a checkpoint's number (the iterations it covers). */
  static final Set<Kind> CHECKPOINT = EnumSet.of(Kind.FAIL_CHECKPOINT_WRITE, Kind.CORRUPT_CHECKPOINT);

  /** The kinds whose INDEX is a position in the stage's program. */
  private static final Set<Kind> AT_INSTRUCTION = EnumSet.of(Kind.STAGE_EXCEPTION, Kind.KILL_STAGE,
      Kind.KILL_WORKER, Kind.SLOW_STAGE);

  public FaultPolicy {
    inject = List.copyOf(inject);
    Objects.requireNonNull(watchdogFloor, "watchdogFloor");
    Objects.requireNonNull(recoveryTimeout, "recoveryTimeout");
    if (!(watchdogFactor >= 1)) {
      throw new IllegalArgumentException("watchdogFactor [" + watchdogFactor + "]: must be at least 1");
    }
    if (snapshotEvery < 0) {
      throw new IllegalArgumentException("snapshotEvery [" + snapshotEvery + "]: must be at least 0");
    }
    if (maxRecoveries < 0) {
      throw new IllegalArgumentException("maxRecoveries [" + maxRecoveries + "]: must be at least 0");
    }
  }

  /** No injected fault; the defaults. */
  public static FaultPolicy defaults() {
    return new FaultPolicy(List.of(), WATCHDOG_FACTOR, WATCHDOG_FLOOR, MAX_RECOVERIES, RECOVERY_TIMEOUT, 0);
  }

  /**
   * The policy of a job: each of the spec's fault fields that is set (fields 35–39), else {@code base}'s value.
   *
   * @throws IllegalArgumentException one line naming the bad field and what is accepted
   */
  static FaultPolicy of(io.zbpp.protocol.jobs.JobSpec spec, FaultPolicy base) {
    List<Injection> faults = spec.getInjectCount() == 0 ? base.inject() : Injection.parseAll(spec.getInjectList());
    double factor = spec.getWatchdogFactor() == 0 ? base.watchdogFactor() : spec.getWatchdogFactor();
    Duration floor = spec.getWatchdogFloorSeconds() == 0 ? base.watchdogFloor()
        : seconds("watchdogFloorSeconds", spec.getWatchdogFloorSeconds());
    Duration timeout = spec.getRecoveryTimeoutSeconds() == 0 ? base.recoveryTimeout()
        : seconds("recoveryTimeoutSeconds", spec.getRecoveryTimeoutSeconds());
    return new FaultPolicy(faults, factor, floor, spec.hasMaxRecoveries() ? spec.getMaxRecoveries()
        : base.maxRecoveries(), timeout, base.snapshotEvery());
  }

  private static Duration seconds(String field, double s) {
    if (!(s > 0 && s <= 7 * 24 * 3600)) {
      throw new IllegalArgumentException(field + " [" + s + "]: expected seconds > 0 and at most a week (604800)");
    }
    return Duration.ofNanos((long) (s * 1e9));
  }

  public FaultPolicy withInject(List<Injection> faults) {
    return new FaultPolicy(faults, watchdogFactor, watchdogFloor, maxRecoveries, recoveryTimeout, snapshotEvery);
  }

  public FaultPolicy withWatchdog(double factor, Duration floor) {
    return new FaultPolicy(inject, factor, floor, maxRecoveries, recoveryTimeout, snapshotEvery);
  }

  public FaultPolicy withRecovery(int max, Duration timeout) {
    return new FaultPolicy(inject, watchdogFactor, watchdogFloor, max, timeout, snapshotEvery);
  }

  /** Keeps an in-memory snapshot of every stage every {@code every} iterations as the recovery point. */
  public FaultPolicy withSnapshotEvery(int every) {
    return new FaultPolicy(inject, watchdogFactor, watchdogFloor, maxRecoveries, recoveryTimeout, every);
  }

  /**
   * Every injection must strike somewhere in the job: a kind handled here, an existing stage, an iteration the
   * job runs, an index inside that stage's program.
   *
   * @throws IllegalArgumentException one line naming the injection and what is accepted
   */
  void check(Programs programs, int iterations) {
    for (Injection i : inject) {
      String at = "inject [" + i + "]: ";
      if (i.kind() == Kind.KILL_COORDINATOR && !CoordinatorKill.armed()) {
        throw new IllegalArgumentException(at + "kill-coordinator is injected only by a zbpp coordinator process, "
            + "into the jobs submitted to its job API (a standby coordinator resumes them); handled here: "
            + handled().stream().map(Kind::text).collect(Collectors.joining(", ")));
      }
      if (i.stage() >= programs.stages().size()) {
        throw new IllegalArgumentException(at + "stage " + i.stage() + " does not exist; stages are 0.."
            + (programs.stages().size() - 1));
      }
      if (CHECKPOINT.contains(i.kind())) {
        continue; // checked against the job's checkpoints (JobCheckpoints.injected)
      }
      if (i.iteration() >= iterations) {
        throw new IllegalArgumentException(at + "iteration " + i.iteration() + " is not run; iterations are 0.."
            + (iterations - 1));
      }
      long sends = programs.stage(i.stage()).instructions().stream()
          .filter(x -> x.op() == ProgramOp.SEND_F || x.op() == ProgramOp.SEND_B).count();
      if (!AT_INSTRUCTION.contains(i.kind()) && i.at() >= sends) {
        throw new IllegalArgumentException(at + "index " + i.at() + " is past the " + sends + " tensors stage "
            + i.stage() + " sends in an iteration" + (sends == 0 ? "" : " (0.." + (sends - 1) + ")"));
      }
      int size = programs.stage(i.stage()).size();
      if (AT_INSTRUCTION.contains(i.kind()) && i.at() >= size) {
        throw new IllegalArgumentException(at + "index " + i.at() + " is past stage " + i.stage() + "'s program of "
            + size + " instructions (0.." + (size - 1) + ")");
      }
    }
  }

  /**
   * A kill-worker aimed at a stage in the coordinator's own actor system would take the coordinator down with it:
   * the line that says so, if any.
   */
  static java.util.Optional<String> workerKillInCoordinatorJvm(List<Injection> pending,
      List<org.apache.pekko.actor.typed.ActorRef<io.zbpp.protocol.msg.StageCommand>> stages) {
    return pending.stream().filter(i -> i.kind() == Kind.KILL_WORKER
            && stages.get(i.stage()).path().address().hasLocalScope())
        .map(i -> "inject [" + i + "]: stage " + i.stage() + " runs in the coordinator's actor system, not on a "
            + "worker; kill-worker needs stages on cluster workers (docs/cluster.md)")
        .findFirst();
  }
}
