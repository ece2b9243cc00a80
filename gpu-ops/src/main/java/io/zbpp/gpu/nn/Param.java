package io.zbpp.gpu.nn;

import io.zbpp.gpu.device.Buf;
import io.zbpp.gpu.device.Device;

/**
 * One parameter tensor on a device with its gradient and AdamW moments, allocated once. The gradient
 * accumulates over the microbatches of an iteration (W passes add to it) and is zeroed by the optimizer step.
 *
 * @param name dotted name in model order, e.g. {@code h3.attn.qkv.weight}
 * @param shape dimensions, outermost first
 * @param decay whether AdamW's weight decay applies (matrices and embeddings yes, biases and norms no)
 */
public record Param(String name, int[] shape, boolean decay, Buf value, Buf grad, Buf m, Buf v) {
  /** Uploads {@code init} and allocates zeroed gradient and moments. */
  public static Param create(Device d, String name, int[] shape, boolean decay, float[] init) {
    return new Param(name, shape.clone(), decay, d.upload(init), d.alloc(init.length), d.alloc(init.length),
        d.alloc(init.length));
  }

  public int size() {
    return value.size();
  }

  @Override
  public int[] shape() {
    return shape.clone();
  }
}
