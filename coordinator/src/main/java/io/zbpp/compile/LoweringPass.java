package io.zbpp.compile;

/**
 * One pure step from a compute plan towards runnable stage programs (docs/design.md "Conventions"): takes programs, returns
 * new ones, never mutates its input. {@link Compiler#PASSES} lists them in order.
 */
public interface LoweringPass {
  /** A short name for error messages and docs. */
  String name();

  Programs apply(Programs in);
}
