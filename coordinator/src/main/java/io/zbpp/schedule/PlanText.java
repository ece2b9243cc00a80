package io.zbpp.schedule;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The plan-file format (docs/design.md, {@code --plan-out}): one line per stage, {@code <stage>: <tokens>}, tokens
 * {@code F<mb>}, {@code B<mb>}, {@code W<mb>}, {@code BW<mb>} in execution order; multi-chunk plans append
 * {@code .<chunk>} to every token. Lines starting with {@code #} are comments; {@code # schedule: NAME} names
 * the schedule. A token without a chunk runs on the chunk equal to its stage. Formatting then parsing gives
 * back an equal plan.
 */
public final class PlanText {
  /** The largest microbatch or chunk number a plan file may use: far from int overflow (m = largest + 1). */
  static final int MAX_INDEX = 9_999_999;

  static final Pattern INSTRUCTION = Pattern.compile("(\\d+)(BW|F|B|W)(\\d+)(?:\\.(\\d+))?");
  private static final Pattern TOKEN = Pattern.compile("(BW|F|B|W)(\\d+)(?:\\.(\\d+))?");

  private PlanText() {}

  public static String format(Plan plan) {
    boolean withChunk = !plan.placement().isSingle();
    StringBuilder sb = new StringBuilder();
    for (int s = 0; s < plan.stageCount(); s++) {
      sb.append(s).append(':');
      for (Instruction in : plan.stage(s)) {
        sb.append(' ').append(in.token(withChunk));
      }
      sb.append('\n');
    }
    return sb.toString();
  }

  /** Formats with a leading {@code # schedule:} comment so that the name survives a round trip. */
  public static String formatNamed(Plan plan) {
    return "# schedule: " + plan.schedule() + "\n" + format(plan);
  }

  /**
   * Parses a plan file. The number of microbatches is the largest microbatch index plus one, and the
   * placement is read off the tokens (every chunk must sit on one stage, and every stage hold the same
   * number of chunks).
   *
   * @throws IllegalArgumentException naming the line and token that is wrong
   */
  public static Plan parse(String text) {
    String schedule = "custom";
    TreeMap<Integer, List<Instruction>> byStage = new TreeMap<>();
    TreeMap<Integer, Integer> chunkStage = new TreeMap<>();
    int maxMb = -1;
    int lineNo = 0;
    for (String raw : text.split("\n", -1)) {
      lineNo++;
      String line = raw.strip();
      if (line.startsWith("# schedule:")) {
        schedule = line.substring("# schedule:".length()).strip();
        continue;
      }
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      int colon = line.indexOf(':');
      int stage = parseStage(line, colon, lineNo);
      if (byStage.containsKey(stage)) {
        throw new IllegalArgumentException("line " + lineNo + ": stage " + stage + " listed twice");
      }
      List<Instruction> ops = new ArrayList<>();
      for (String tok : line.substring(colon + 1).trim().split("\\s+")) {
        if (tok.isEmpty()) {
          continue;
        }
        var m = TOKEN.matcher(tok);
        if (!m.matches()) {
          throw new IllegalArgumentException(
              "line " + lineNo + ": bad token [" + tok + "]: expected F|B|W|BW<mb>[.<chunk>]");
        }
        int mb;
        int chunk;
        try {
          mb = Integer.parseInt(m.group(2));
          chunk = m.group(3) == null ? stage : Integer.parseInt(m.group(3));
        } catch (NumberFormatException e) {
          mb = MAX_INDEX + 1;
          chunk = 0;
        }
        if (mb > MAX_INDEX || chunk > MAX_INDEX) {
          throw new IllegalArgumentException("line " + lineNo + ": bad token [" + tok + "]: a number out of range; "
              + "expected microbatch and chunk numbers from 0 to " + MAX_INDEX);
        }
        Integer prev = chunkStage.putIfAbsent(chunk, stage);
        if (prev != null && prev != stage) {
          throw new IllegalArgumentException(
              "line " + lineNo + ": chunk " + chunk + " appears on stages " + prev + " and " + stage);
        }
        maxMb = Math.max(maxMb, mb);
        ops.add(new Instruction(stage, Op.valueOf(m.group(1)), mb, chunk));
      }
      byStage.put(stage, ops);
    }
    return assemble(schedule, byStage, chunkStage, maxMb);
  }

  private static int parseStage(String line, int colon, int lineNo) {
    if (colon < 0) {
      throw new IllegalArgumentException("line " + lineNo + ": expected '<stage>: <tokens>', got [" + line + "]");
    }
    try {
      return Integer.parseInt(line.substring(0, colon).strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("line " + lineNo + ": bad stage [" + line.substring(0, colon).strip() + "]");
    }
  }

  private static Plan assemble(String schedule, TreeMap<Integer, List<Instruction>> byStage,
      TreeMap<Integer, Integer> chunkStage, int maxMb) {
    int p = byStage.size();
    if (p == 0) {
      throw new IllegalArgumentException("plan has no stages");
    }
    if (byStage.firstKey() != 0 || byStage.lastKey() != p - 1) {
      throw new IllegalArgumentException("stages are not 0.." + (p - 1) + ": " + byStage.keySet());
    }
    if (maxMb < 0) {
      throw new IllegalArgumentException("plan has no passes");
    }
    if (chunkStage.firstKey() != 0 || chunkStage.lastKey() != chunkStage.size() - 1) {
      throw new IllegalArgumentException("chunks are not 0..V-1: " + chunkStage.keySet());
    }
    return new Plan(schedule, maxMb + 1, new Placement(new ArrayList<>(chunkStage.values()), p),
        new ArrayList<>(byStage.values()));
  }
}
