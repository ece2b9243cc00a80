package io.zbpp.protocol.msg;

/** The (unscaled) loss of one microbatch, read after its forward on the last chunk. */
public record LossRecord(int microbatch, double loss) {}
