package io.zbpp.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.zbpp.faults.Injection;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which injections a detected fault retires: the ones that struck, never one the replay must still meet. */
class RecoveryTest {
  private static Recovery with(String... inject) {
    FaultPolicy d = FaultPolicy.defaults();
    return new Recovery(new FaultPolicy(Injection.parseAll(List.of(inject)), d.watchdogFactor(), d.watchdogFloor(),
        d.maxRecoveries(), d.recoveryTimeout(), d.snapshotEvery()));
  }

  private static List<String> pending(Recovery r) {
    return r.pending().stream().map(Injection::toString).toList();
  }

  @Test
  void aLostLinkRetiresTheKillOfAnIterationAlreadyStartedEvenBeforeTheOldestCompletes() {
    // stage 1's worker dies in iteration 1 while iteration 0 is still the oldest unfinished (an optimizer check
    // lets the stages run ahead); its neighbour reports the lost link, which names no failed stage
    Recovery r = with("kill-worker:1@1.2", "kill-stage:0@3.1");
    r.detected("stage 0 failed: data link to stage 1 lost", -1, 0, 1, 0);
    assertThat(pending(r)).as("the replay must not kill the spare again; the later kill still strikes")
        .containsExactly(Injection.parse("kill-stage:0@3.1").toString());
  }

  @Test
  void aFaultOfAKnownStageLeavesTheOtherStagesInjectionsOfLaterIterations() {
    Recovery r = with("stage-exception:0@1.2", "kill-stage:1@1.5", "slow-stage:1@0.0x2");
    r.detected("stage 0 failed: injected", 0, 0, 1, 0);
    assertThat(pending(r)).containsExactly(Injection.parse("kill-stage:1@1.5").toString());
  }

  @Test
  void aFaultOfNoKnownStageLeavesTheInjectionsThatAreNotKills() {
    Recovery r = with("delay-frame:0@1.0x50", "kill-stage:1@2.0");
    r.detected("watchdog: iteration 0 not done", -1, 0, 1, 0);
    assertThat(pending(r)).containsExactly(Injection.parse("delay-frame:0@1.0x50").toString(),
        Injection.parse("kill-stage:1@2.0").toString());
  }
}
