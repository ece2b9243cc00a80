package io.zbpp.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

/** The receiver's order: frames handed on by number, each once; gaps asked for once. */
class ReceiveWindowTest {
  private static ReceiveWindow.Arrival arrival(long seq) {
    return new ReceiveWindow.Arrival(seq, null, Unpooled.EMPTY_BUFFER);
  }

  @Test
  void holdsFramesAheadOfAGapAndHandsThemOnInOrderOnceItCloses() {
    ReceiveWindow w = new ReceiveWindow();

    assertThat(w.arrived(arrival(0))).extracting(ReceiveWindow.Arrival::seq).containsExactly(0L);
    assertThat(w.newGapsBefore(3)).containsExactly(1L, 2L);
    assertThat(w.arrived(arrival(3))).isEmpty();
    assertThat(w.newGapsBefore(3)).as("asked for once").isEmpty();
    assertThat(w.firstMissing()).isEqualTo(1);
    assertThat(w.isCopy(3)).isTrue();
    assertThat(w.arrived(arrival(2))).isEmpty();
    assertThat(w.arrived(arrival(1))).extracting(ReceiveWindow.Arrival::seq).containsExactly(1L, 2L, 3L);
    assertThat(w.expected()).isEqualTo(4);
    assertThat(w.isCopy(0)).isTrue();
    assertThat(w.isCopy(4)).isFalse();
  }

  @Test
  void aFrameAskedForAfterItArrivedCorruptIsNotAskedForAgainAsAGap() {
    ReceiveWindow w = new ReceiveWindow();
    w.asking(0);

    assertThat(w.newGapsBefore(2)).containsExactly(1L);
  }
}
