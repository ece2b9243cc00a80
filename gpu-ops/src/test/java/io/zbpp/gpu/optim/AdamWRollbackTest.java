package io.zbpp.gpu.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.zbpp.gpu.cpu.CpuDevice;
import io.zbpp.gpu.nn.Param;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Post-validation's optimizer arithmetic (docs/design.md §6): an eager step rolled back and redone with a clip
 * coefficient equals a direct clipped step — bit for bit with the exact copy, within 1e-6 relative with the
 * paper's in-place inverse (Algorithm 1) — and {@code update(1)} then zeroing equals {@code step()}.
 */
class AdamWRollbackTest {
  private static final float[] INIT = {1f, -2f, 0.25f, 3f};
  private static final float[][] GRADS = {{0.2f, -0.4f, 1e-3f, 5f}, {-0.1f, 0.3f, 2f, -0.7f}, {0.5f, 0.5f, -1f, 0f}};

  private record Opt(CpuDevice d, Param p, AdamW adam) {}

  private static Opt fresh() {
    CpuDevice d = new CpuDevice();
    Param p = Param.create(d, "w", new int[] {4}, true, INIT);
    return new Opt(d, p, new AdamW(d, List.of(p), new AdamWConfig(0.01f, 0.9f, 0.95f, 1e-8f, 0.1f)));
  }

  @ParameterizedTest
  @EnumSource(RollbackMode.class)
  void anEagerStepRolledBackAndRedoneWithTheClipEqualsTheClippedStep(RollbackMode mode) {
    Opt direct = fresh();
    Opt eager = fresh();
    float clip = 0.375f;
    for (int it = 0; it < GRADS.length; it++) {
      direct.d().write(direct.p().grad(), GRADS[it]);
      eager.d().write(eager.p().grad(), GRADS[it]);
      boolean clipped = it == 1;
      direct.adam().update(clipped ? clip : 1f);
      direct.adam().zeroGradients();
      long kept = eager.adam().keepForRollback(mode);
      eager.adam().update(1f);
      if (clipped) {
        eager.adam().rollback();
        eager.adam().update(clip);
      }
      eager.adam().zeroGradients();
      assertThat(kept).isEqualTo(mode == RollbackMode.EXACT ? 3L * 4 * INIT.length : 0);
    }
    float[] want = direct.d().download(direct.p().value());
    float[] got = eager.d().download(eager.p().value());
    if (mode == RollbackMode.EXACT) {
      assertThat(got).isEqualTo(want);
    } else {
      for (int i = 0; i < want.length; i++) {
        assertThat(got[i]).isCloseTo(want[i], within(1e-6f * Math.max(1f, Math.abs(want[i]))));
      }
    }
    assertThat(eager.adam().steps()).isEqualTo(GRADS.length);
  }

  @ParameterizedTest
  @EnumSource(RollbackMode.class)
  void aSkippedStepLeavesParametersAndCounterAsBefore(RollbackMode mode) {
    Opt o = fresh();
    o.d().write(o.p().grad(), GRADS[0]);
    o.adam().keepForRollback(mode);
    o.adam().update(1f);
    o.adam().rollback();
    o.adam().zeroGradients();

    float[] got = o.d().download(o.p().value());
    for (int i = 0; i < INIT.length; i++) {
      assertThat(got[i]).isCloseTo(INIT[i], within(mode == RollbackMode.EXACT ? 0f : 1e-6f));
    }
    assertThat(o.adam().steps()).isZero();
  }

  @org.junit.jupiter.api.Test
  void updateByOneThenZeroIsBitIdenticalToStep() {
    Opt a = fresh();
    Opt b = fresh();
    for (float[] g : GRADS) {
      a.d().write(a.p().grad(), g);
      b.d().write(b.p().grad(), g);
      a.adam().step();
      b.adam().update(1f);
      b.adam().zeroGradients();
    }
    assertThat(b.d().download(b.p().value())).isEqualTo(a.d().download(a.p().value()));
  }
}
