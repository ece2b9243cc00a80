package io.zbpp.stage;

import io.zbpp.gpu.pipeline.ChunkRunner;
import io.zbpp.protocol.msg.LoadProgram;

/**
 * How a stage host turns a loaded program into the {@link ChunkRunner} of one of its chunks. The default,
 * {@link ModelChunks}, builds chunk {@code chunk} of {@code load.model()} on the backend the model names; a host
 * with its own kind of chunk (a test's fake model) supplies another. Called on the stage's executor, once per
 * chunk and program whose chunks changed; must return a runner whose {@code chunk()} is {@code chunk}.
 */
@FunctionalInterface
public interface ChunkBuilder {
  ChunkRunner build(LoadProgram load, int chunk);
}
