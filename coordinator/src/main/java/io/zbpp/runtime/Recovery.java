package io.zbpp.runtime;

import io.zbpp.faults.Injection;
import io.zbpp.protocol.msg.RecoveryStats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;

/**
 * The coordinator's fault bookkeeping for one job, across its epochs (docs/faults.md "Recovery"): the faults still
 * to inject, what was detected, the recoveries made, the iterations run again and the time from each detection to
 * the replay's start. Plain and single-threaded: the coordinator owns it.
 */
final class Recovery {
  private final FaultPolicy policy;
  private final List<String> events = new ArrayList<>();
  private List<Injection> pending;
  private int faults;
  private int recoveries;
  private int replayed;
  private long recoveryNanos;
  private long detectedAt = -1;
  private String lost = "";
  /** Whether an iteration completed since the last fault: until one does, a new fault keeps the first one's line. */
  private boolean progressed = true;
  /** The last iteration started when the last fault was detected: the replay up to it is not progress. */
  private int faultAt = -1;
  private RecoveryPoint point = RecoveryPoint.initial();

  Recovery(FaultPolicy policy) {
    this.policy = policy;
    this.pending = policy.inject();
  }

  FaultPolicy policy() {
    return policy;
  }

  /** The injections that have not struck yet (a replay must not meet them again). */
  List<Injection> pending() {
    return pending;
  }

  /**
   * A fault was detected while {@code oldest} was the oldest unfinished iteration: counts it and retires the
   * injections of that iteration and the ones before, and those of the failed {@code stage} (-1: not known) up to
   * the last iteration started — with an optimizer check a stage runs into the next iteration before the oldest
   * completes, so its fault may be in a later iteration than {@code oldest}. A fault of no known stage (a lost data
   * link, the watchdog) also retires the kills (kill-stage, kill-worker) up to the last iteration started: their
   * victim cannot report, so such a fault is what a kill looks like to the others, and a kill left pending would
   * strike again in the replay — on the spare that replaced its victim. Any other later injection, which may not
   * have struck yet, stays: the replay meets it.
   */
  void detected(String what, int stage, int oldest, int lastStarted, long nowNanos) {
    faults++;
    events.add(what);
    if (progressed) {
      lost = what.lines().findFirst().orElse(what); // a fault during a recovery's replay keeps the root cause
    }
    progressed = false;
    faultAt = lastStarted;
    detectedAt = nowNanos;
    pending = pending.stream().filter(i -> i.iteration() > oldest && !(i.iteration() <= lastStarted
        && (i.stage() == stage || stage < 0 && kills(i)))).toList();
  }

  private static boolean kills(Injection i) {
    return i.kind() == Injection.Kind.KILL_STAGE || i.kind() == Injection.Kind.KILL_WORKER;
  }

  /** Where a recovery restarts from: the last in-memory snapshot, or the start. */
  RecoveryPoint point() {
    return point;
  }

  /**
   * Whether to snapshot at the boundary before {@code next}: every {@code snapshotEvery} iterations, when one
   * iteration runs at a time (with an optimizer check the stages run into the next iteration on their own, and a
   * boundary with no eager step pending is never reached).
   */
  boolean snapshotDue(int next, int window) {
    int every = policy.snapshotEvery();
    return every > 0 && window == 1 && next % every == 0;
  }

  /** A snapshot at an iteration boundary is the new recovery point. */
  void reached(RecoveryPoint.Shards p) {
    point = p;
  }

  /** Whether another recovery is allowed. */
  boolean mayRecover() {
    return recoveries < policy.maxRecoveries();
  }

  /** A recovery starts; {@code iterations} will run again. */
  void recovering(int iterations) {
    recoveries++;
    replayed += iterations;
  }

  /** Whether a recovery is under way (detected, its replay not started yet). */
  boolean underWay() {
    return detectedAt >= 0;
  }

  /**
   * Iteration {@code iteration} completed: once the replay has passed where the last fault struck, the next fault
   * is a new one, not part of the last one's recovery.
   */
  void progressed(int iteration) {
    if (iteration >= faultAt) {
      progressed = true;
    }
  }

  /** The first line of the fault the job is recovering from (the first of several before any progress). */
  String lost() {
    return lost;
  }

  /** The replay starts: the recovery's time ends. Answers how long it took in nanoseconds, -1 if none was under way. */
  long resumed(long nowNanos) {
    if (detectedAt < 0) {
      return -1;
    }
    long took = nowNanos - detectedAt;
    recoveryNanos += took;
    detectedAt = -1;
    return took;
  }

  /** The watchdog's deadline: the factor × the expected iteration time, at least the floor. */
  Duration deadline(OptionalDouble expectedNanos) {
    long floor = policy.watchdogFloor().toNanos();
    return Duration.ofNanos(Math.max(floor, (long) (policy.watchdogFactor() * expectedNanos.orElse(0))));
  }

  RecoveryStats stats() {
    return new RecoveryStats(faults, recoveries, replayed, recoveryNanos / 1e9, events);
  }
}
