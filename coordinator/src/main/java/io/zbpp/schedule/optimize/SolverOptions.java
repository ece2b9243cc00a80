package io.zbpp.schedule.optimize;

/**
 * How long and how the optimizer searches. With {@code deterministic} set, CP-SAT interleaves its workers and
 * the same options give the same plan on every run (the time limit then counts CP-SAT's deterministic time,
 * roughly seconds on one core); otherwise the limit is wall-clock time and parallel workers may race.
 *
 * @param timeLimitSeconds the whole budget, lower bounds and search together (&gt; 0)
 * @param workers CP-SAT workers per solve (≥ 1)
 * @param seed random seed of CP-SAT and of the neighbourhood choice
 * @param deterministic reproducible search at the price of some speed
 * @param log print CP-SAT's and the neighbourhood search's progress to stderr
 */
public record SolverOptions(double timeLimitSeconds, int workers, int seed, boolean deterministic, boolean log) {
  /** The budget used when none is given: 60 s. */
  public static final double DEFAULT_TIME_LIMIT = 60;

  public SolverOptions {
    if (!(timeLimitSeconds > 0) || Double.isInfinite(timeLimitSeconds)) {
      throw new IllegalArgumentException("time-limit [" + timeLimitSeconds + "]: must be a finite number of seconds > 0");
    }
    if (workers < 1) {
      throw new IllegalArgumentException("workers [" + workers + "]: must be at least 1");
    }
  }

  /** 60 s, 2 workers, seed 0, wall-clock limit, quiet. */
  public static SolverOptions defaults() {
    return new SolverOptions(DEFAULT_TIME_LIMIT, 2, 0, false, false);
  }

  public SolverOptions withTimeLimit(double seconds) {
    return new SolverOptions(seconds, workers, seed, deterministic, log);
  }

  public SolverOptions withWorkers(int n) {
    return new SolverOptions(timeLimitSeconds, n, seed, deterministic, log);
  }

  public SolverOptions withSeed(int s) {
    return new SolverOptions(timeLimitSeconds, workers, s, deterministic, log);
  }

  public SolverOptions withDeterministic(boolean d) {
    return new SolverOptions(timeLimitSeconds, workers, seed, d, log);
  }

  public SolverOptions withLog(boolean l) {
    return new SolverOptions(timeLimitSeconds, workers, seed, deterministic, l);
  }
}
