package io.zbpp.schedule;

/**
 * The shape of a pipeline job: p stages, m microbatches, v model chunks per stage.
 *
 * @param stages p ≥ 1
 * @param microbatches m ≥ 1
 * @param chunksPerStage v ≥ 1 (1 for single-chunk schedules; 2 for ZB-V)
 */
public record Shape(int stages, int microbatches, int chunksPerStage) {
  public Shape {
    if (stages < 1) {
      throw new IllegalArgumentException("stages [" + stages + "]: must be at least 1");
    }
    if (microbatches < 1) {
      throw new IllegalArgumentException("microbatches [" + microbatches + "]: must be at least 1");
    }
    if (chunksPerStage < 1) {
      throw new IllegalArgumentException("chunks [" + chunksPerStage + "]: must be at least 1");
    }
  }

  public static Shape of(int stages, int microbatches) {
    return new Shape(stages, microbatches, 1);
  }
}
