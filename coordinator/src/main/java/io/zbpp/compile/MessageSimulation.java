package io.zbpp.compile;

import io.zbpp.protocol.msg.Dataflow;
import io.zbpp.protocol.msg.OpFlow;
import io.zbpp.protocol.msg.ProgramInstruction;
import io.zbpp.protocol.msg.StageProgram;
import io.zbpp.schedule.InvalidPlanException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Runs lowered programs as message passing, without time: every stage advances through its program while its
 * next op can run; a SEND puts a message on the channel to the receiving stage (tells never block), a RECV
 * takes it, a compute pass needs its inputs in the stage's local buffer. Proves that every RECV has its
 * SEND on the right stage, every SEND is received, every pass gets its input, every STEP follows all of its
 * chunk's weight gradients, and the programs finish (no deadlock).
 *
 * @see ProgramState the per-run bookkeeping
 */
public final class MessageSimulation {
  private MessageSimulation() {}

  /** @throws InvalidPlanException naming the first problem, with the programs and the stuck ops marked */
  public static void check(Programs programs) {
    checkPairing(programs);
    ProgramState st = new ProgramState(programs);
    int p = programs.stages().size();
    int[] pc = new int[p];
    int total = programs.stages().stream().mapToInt(StageProgram::size).sum();
    int done = 0;
    while (done < total) {
      int before = done;
      for (int s = 0; s < p; s++) {
        StageProgram prog = programs.stage(s);
        while (pc[s] < prog.size() && st.tryRun(prog.get(pc[s]))) {
          pc[s]++;
          done++;
        }
      }
      if (done == before) {
        throw fail(programs, "deadlock: " + stuck(programs, pc), stuckOps(programs, pc));
      }
    }
    String leftover = st.leftover();
    if (!leftover.isEmpty()) {
      throw fail(programs, leftover, Set.of());
    }
  }

  /** Every SEND pairs with exactly one RECV on the receiving stage, and the other way round. */
  private static void checkPairing(Programs programs) {
    Dataflow flow = programs.dataflow();
    Map<String, Integer> balance = new HashMap<>();
    Map<String, ProgramInstruction> example = new HashMap<>();
    for (StageProgram prog : programs.stages()) {
      for (ProgramInstruction in : prog.instructions()) {
        String key = ProgramState.messageKey(in, flow);
        if (key != null) {
          boolean send = OpFlow.of(in.op()).direction() == OpFlow.Direction.SEND;
          balance.merge(key, send ? 1 : -1, Integer::sum);
          example.putIfAbsent(key, in);
        }
      }
    }
    for (var e : balance.entrySet()) {
      if (e.getValue() != 0) {
        ProgramInstruction in = example.get(e.getKey());
        String what = e.getValue() > 0 ? "SEND without a matching RECV" : "RECV without a matching SEND";
        throw fail(programs, in + ": " + what + " (" + e.getKey() + ")", Set.of(in));
      }
    }
  }

  private static String stuck(Programs programs, int[] pc) {
    List<String> waits = new ArrayList<>();
    for (int s = 0; s < pc.length; s++) {
      if (pc[s] < programs.stage(s).size()) {
        waits.add("stage " + s + " waits at " + programs.stage(s).get(pc[s]) + " (op " + pc[s] + ")");
      }
    }
    return String.join("; ", waits.subList(0, Math.min(6, waits.size()))) + (waits.size() > 6 ? "; …" : "");
  }

  private static Set<ProgramInstruction> stuckOps(Programs programs, int[] pc) {
    java.util.HashSet<ProgramInstruction> s = new java.util.HashSet<>();
    for (int i = 0; i < pc.length; i++) {
      if (pc[i] < programs.stage(i).size()) {
        s.add(programs.stage(i).get(pc[i]));
      }
    }
    return s;
  }

  private static InvalidPlanException fail(Programs programs, String problem, Set<ProgramInstruction> marked) {
    StringBuilder sb = new StringBuilder("invalid program of ").append(programs.schedule()).append(": ")
        .append(problem).append('\n');
    for (StageProgram prog : programs.stages()) {
      sb.append(prog.stage()).append(':');
      for (ProgramInstruction in : prog.instructions()) {
        sb.append(' ').append(marked.contains(in) ? ">>" + in + "<<" : in.toString());
      }
      sb.append('\n');
    }
    return new InvalidPlanException(sb.toString());
  }
}
