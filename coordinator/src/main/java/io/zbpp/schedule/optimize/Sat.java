package io.zbpp.schedule.optimize;

import com.google.ortools.Loader;
import com.google.ortools.sat.CpSolver;
import com.google.ortools.sat.CpSolverStatus;

/** CP-SAT plumbing: loads the native library once and configures solvers from {@link SolverOptions}. */
final class Sat {
  private static boolean loaded;

  private Sat() {}

  static synchronized void load() {
    if (!loaded) {
      Loader.loadNativeLibraries();
      loaded = true;
    }
  }

  /** A solver limited to {@code seconds}, with the options' workers, a seed derived from theirs, and logging. */
  static CpSolver solver(SolverOptions o, double seconds, int seedOffset) {
    load();
    CpSolver solver = new CpSolver();
    var params = solver.getParameters();
    params.setNumWorkers(o.workers()).setRandomSeed(o.seed() + seedOffset).setLogSearchProgress(o.log());
    if (o.deterministic()) {
      params.setInterleaveSearch(true).setMaxDeterministicTime(Math.max(0.01, seconds));
    } else {
      params.setMaxTimeInSeconds(Math.max(0.01, seconds));
    }
    if (o.log()) {
      params.setLogToStdout(false);
      solver.setLogCallback(System.err::println);
    }
    return solver;
  }

  static boolean hasSolution(CpSolverStatus status) {
    return status == CpSolverStatus.OPTIMAL || status == CpSolverStatus.FEASIBLE;
  }
}
