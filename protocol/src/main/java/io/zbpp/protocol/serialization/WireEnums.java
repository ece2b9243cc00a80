package io.zbpp.protocol.serialization;

import io.zbpp.protocol.Wire;
import io.zbpp.protocol.msg.OptimizerOptions;
import io.zbpp.protocol.msg.ProgramOp;
import io.zbpp.protocol.msg.TensorKind;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Maps the Java enums inside messages to their protobuf enums <em>by name</em>: the wire constant is the Java
 * constant's name behind the protobuf enum's prefix ({@code ProgramOp.SEND_F} ↔ {@code OP_SEND_F}). Never by
 * Java ordinal, so reordering or inserting a Java constant cannot change what a number means on the wire; the
 * numbers themselves are fixed in {@code runtime.proto}. {@link #ALL} lists every mapping; a test fails when a
 * constant on either side has no partner.
 */
final class WireEnums {
  /** One Java enum and its protobuf enum, matched by name once, when the mapping is built. */
  static final class Mapping<J extends Enum<J>, W extends Enum<W>> {
    private final Class<J> java;
    private final Class<W> wire;
    private final Map<J, W> toWire;
    private final Map<W, J> fromWire;

    /**
     * @param prefix what the protobuf names carry before the Java name (proto3 enum values share the package
     *     scope, hence the prefixes)
     */
    Mapping(Class<J> java, Class<W> wire, String prefix) {
      this.java = java;
      this.wire = wire;
      this.toWire = new EnumMap<>(java);
      this.fromWire = new EnumMap<>(wire);
      for (J v : java.getEnumConstants()) {
        for (W w : wire.getEnumConstants()) {
          if (w.name().equals(prefix + v.name())) {
            toWire.put(v, w);
            fromWire.put(w, v);
          }
        }
      }
    }

    /** The protobuf constant of {@code v}; throws naming the constant when the wire has none. */
    W toWire(J v) {
      W w = toWire.get(v);
      if (w == null) {
        throw new IllegalArgumentException(java.getSimpleName() + "." + v.name() + " has no wire value in "
            + wire.getName());
      }
      return w;
    }

    /** The Java constant of {@code w}; throws for a value this build does not know (UNRECOGNIZED). */
    J fromWire(W w) {
      J v = fromWire.get(w);
      if (v == null) {
        throw new IllegalArgumentException(wire.getSimpleName() + " [" + w.name() + "]: unknown here; expected one of "
            + fromWire.keySet());
      }
      return v;
    }

    /** The constants on either side without a partner, as {@code Class.NAME}; empty when the two agree. */
    List<String> unmatched() {
      List<String> out = new ArrayList<>();
      for (J v : java.getEnumConstants()) {
        if (!toWire.containsKey(v)) {
          out.add(java.getSimpleName() + "." + v.name());
        }
      }
      for (W w : wire.getEnumConstants()) {
        if (!w.name().equals("UNRECOGNIZED") && !fromWire.containsKey(w)) {
          out.add(wire.getSimpleName() + "." + w.name());
        }
      }
      return out;
    }

    Class<J> javaEnum() {
      return java;
    }

    Class<W> wireEnum() {
      return wire;
    }
  }

  static final Mapping<ProgramOp, Wire.ProgramOp> PROGRAM_OP =
      new Mapping<>(ProgramOp.class, Wire.ProgramOp.class, "OP_");
  static final Mapping<TensorKind, Wire.TensorKind> TENSOR_KIND =
      new Mapping<>(TensorKind.class, Wire.TensorKind.class, "TENSOR_");
  static final Mapping<OptimizerOptions.Check, Wire.OptimizerCheck> CHECK =
      new Mapping<>(OptimizerOptions.Check.class, Wire.OptimizerCheck.class, "CHECK_");
  static final Mapping<OptimizerOptions.Rollback, Wire.Rollback> ROLLBACK =
      new Mapping<>(OptimizerOptions.Rollback.class, Wire.Rollback.class, "ROLLBACK_");

  /** Every Java enum that crosses the wire. */
  static final List<Mapping<?, ?>> ALL = List.of(PROGRAM_OP, TENSOR_KIND, CHECK, ROLLBACK);

  private WireEnums() {}
}
