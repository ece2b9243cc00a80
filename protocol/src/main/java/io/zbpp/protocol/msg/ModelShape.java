package io.zbpp.protocol.msg;

/**
 * The transformer shape a cost model is estimated from when no profiled times are given (docs/design.md §2
 * memory formulas): L layers, hidden h, heads a, sequence length s, microbatch size b.
 */
public record ModelShape(int layers, int hidden, int heads, int sequenceLength, int microbatchSize) {}
