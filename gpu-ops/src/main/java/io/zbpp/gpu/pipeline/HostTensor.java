package io.zbpp.gpu.pipeline;

import java.util.Arrays;

/**
 * A tensor in host memory as it travels between stages: a shape and row-major float32 data. This is what
 * activations and gradients look like on the wire (the runtime maps it to the protocol's tensor payload).
 *
 * @param shape dimensions, outermost first (e.g. {@code [b, s, h]})
 * @param data row-major values; its length is the product of the shape
 */
public record HostTensor(int[] shape, float[] data) {
  public HostTensor {
    shape = shape.clone();
    long n = 1;
    for (int d : shape) {
      if (d < 0) {
        throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
      }
      n *= d;
    }
    if (n != data.length) {
      throw new IllegalArgumentException(
          "shape " + Arrays.toString(shape) + " holds " + n + " values, data has " + data.length);
    }
  }

  @Override
  public int[] shape() {
    return shape.clone();
  }

  /** The number of bytes of the data (float32). */
  public long bytes() {
    return 4L * data.length;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof HostTensor t && Arrays.equals(shape, t.shape) && Arrays.equals(data, t.data);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(shape) * 31 + Arrays.hashCode(data);
  }

  @Override
  public String toString() {
    return "HostTensor" + Arrays.toString(shape);
  }
}
