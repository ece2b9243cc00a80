package io.zbpp.dataplane;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A received tensor whose bytes still sit in the link's reused receive buffer. {@link #release()} gives the
 * buffer back, which grants the sender one more credit: holding tensors is how a slow receiver pushes back.
 * Read the data before releasing; {@link #data()} is invalid afterwards.
 */
public final class ReceivedTensor implements AutoCloseable {
  private final TensorHeader header;
  private final ByteBuffer data;
  private final Runnable onRelease;
  private final AtomicBoolean released = new AtomicBoolean();

  ReceivedTensor(TensorHeader header, ByteBuffer data, Runnable onRelease) {
    this.header = header;
    this.data = data;
    this.onRelease = onRelease;
  }

  public TensorHeader header() {
    return header;
  }

  /** A read-only view of the payload, little-endian order set; valid until {@link #release()}. */
  public ByteBuffer data() {
    if (released.get()) {
      throw new IllegalStateException("tensor " + header.key() + " already released");
    }
    return data.asReadOnlyBuffer().order(java.nio.ByteOrder.LITTLE_ENDIAN);
  }

  /** A copy of the payload as float32 values. */
  public float[] floats() {
    float[] out = new float[data.remaining() / 4];
    data().asFloatBuffer().get(out);
    return out;
  }

  /** Gives the receive buffer back (once; later calls do nothing). */
  public void release() {
    if (released.compareAndSet(false, true)) {
      onRelease.run();
    }
  }

  @Override
  public void close() {
    release();
  }
}
