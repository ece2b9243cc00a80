package io.zbpp.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.junit.jupiter.api.Test;

class ReceiveBuffersTest {
  private final ReceiveBuffers buffers = new ReceiveBuffers(new UnpooledByteBufAllocator(true), 2);

  @Test
  void reusesAReleasedBufferForFramesThatFitAndReplacesItForLargerOnes() {
    ByteBuf first = buffers.take(1000);
    first.writeBytes(new byte[1000]);
    buffers.giveBack(first);

    ByteBuf again = buffers.take(600);
    assertThat(again).isSameAs(first);
    assertThat(again.writerIndex()).isZero();
    buffers.giveBack(again);

    ByteBuf bigger = buffers.take(5000);
    assertThat(bigger).isNotSameAs(first);
    assertThat(first.refCnt()).as("the outgrown buffer is freed").isZero();
    assertThat(bigger.capacity()).isGreaterThanOrEqualTo(5000);
    buffers.giveBack(bigger);
    buffers.close();
    assertThat(bigger.refCnt()).isZero();
  }

  @Test
  void refusesMoreTensorsThanCredits() {
    buffers.take(10);
    buffers.take(10);

    assertThatThrownBy(() -> buffers.take(10)).isInstanceOf(DataPlaneException.class)
        .hasMessage("protocol error: peer sent a tensor beyond its 2 credits");
  }

  @Test
  void freesBuffersReleasedAfterTheLinkClosed() {
    ByteBuf lent = buffers.take(10);
    buffers.close();

    buffers.giveBack(lent);

    assertThat(lent.refCnt()).isZero();
  }
}
