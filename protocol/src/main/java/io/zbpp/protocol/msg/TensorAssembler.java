package io.zbpp.protocol.msg;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Joins the frames of tensors back together. Frames of one tensor come from one sender and therefore in
 * order (Pekko keeps per sender–receiver order); frames of different tensors may interleave. Not
 * thread-safe: one actor owns it.
 */
public final class TensorAssembler {
  private final Map<TensorKey, Partial> partial = new HashMap<>();

  /** An assembled tensor. */
  public record Tensor(TensorKey key, int[] shape, float[] data) {}

  /**
   * Adds a frame; returns the tensor when this was its last frame.
   *
   * @throws IllegalArgumentException when a frame arrives out of order or disagrees with earlier frames
   */
  public Optional<Tensor> add(TensorFrame f) {
    if (f.parts() == 1) {
      return Optional.of(new Partial(f).tensor(f.key()));
    }
    Partial p = partial.get(f.key());
    if (p == null) {
      if (f.part() != 0) {
        throw new IllegalArgumentException("frame " + f.part() + " of " + f.key() + " arrived before frame 0");
      }
      partial.put(f.key(), new Partial(f));
      return Optional.empty();
    }
    p.append(f);
    if (p.next < f.parts()) {
      return Optional.empty();
    }
    partial.remove(f.key());
    return Optional.of(p.tensor(f.key()));
  }

  /** How many tensors are partly received. */
  public int pending() {
    return partial.size();
  }

  private static final class Partial {
    private final int parts;
    private final List<Integer> shape;
    private final float[] data;
    private int filled;
    private int next;

    Partial(TensorFrame first) {
      this.parts = first.parts();
      this.shape = first.shape();
      long n = 1;
      for (int d : shape) {
        n *= d;
      }
      if (n > Integer.MAX_VALUE - 8) {
        throw new IllegalArgumentException("tensor " + first.key() + " of shape " + shape + " is too large");
      }
      this.data = new float[(int) n];
      append(first);
    }

    void append(TensorFrame f) {
      if (f.part() != next || f.parts() != parts || !f.shape().equals(shape)) {
        throw new IllegalArgumentException("frame " + f.part() + "/" + f.parts() + " of " + f.key() + " shape "
            + f.shape() + ": expected frame " + next + "/" + parts + " shape " + shape);
      }
      if (filled + f.data().size() / 4 > data.length) {
        throw new IllegalArgumentException("frames of " + f.key() + " hold more values than shape " + shape);
      }
      filled += TensorFrames.readFloats(f.data(), data, filled);
      next++;
    }

    Tensor tensor(TensorKey key) {
      if (filled != data.length) {
        throw new IllegalArgumentException("tensor " + key + " of shape " + shape + " has " + data.length
            + " values, frames carried " + filled);
      }
      return new Tensor(key, shape.stream().mapToInt(Integer::intValue).toArray(), data);
    }
  }
}
