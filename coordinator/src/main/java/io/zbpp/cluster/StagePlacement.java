package io.zbpp.cluster;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Where each stage of a job runs: one stage per device, consecutive stages on the same worker (docs/cluster.md
 * "Placement"). A pipeline's only cross-node traffic is between neighbouring stages, so a placement in
 * contiguous blocks crosses nodes {@code workers − 1} times; {@link #place} uses as few workers as can hold the
 * stages (the ones with most free devices first) and orders them by address, so the same cluster gives the
 * same placement. A stage's chunks (ZB-V, interleaved) all live on its device.
 *
 * @param slots indexed by stage
 */
public record StagePlacement(List<Slot> slots) {
  /** Stage {@code stage} on device {@code device} of the worker at {@code node}. */
  public record Slot(int stage, String node, int device) {
    public Slot {
      Objects.requireNonNull(node, "node");
    }
  }

  /** A worker as the placement sees it: its address and its free devices, ascending. */
  public record Worker(String node, List<Integer> freeDevices) {
    public Worker {
      Objects.requireNonNull(node, "node");
      freeDevices = List.copyOf(freeDevices);
    }
  }

  /** Not enough free devices: {@link #getMessage()} names how many were needed and found. */
  public static final class NotEnoughDevices extends IllegalStateException {
    private final int needed;
    private final int found;

    NotEnoughDevices(int needed, int found, int workers) {
      super(String.format(Locale.ROOT, "needed %d devices for %d stages, found %d free on %d worker%s", needed,
          needed, found, workers, workers == 1 ? "" : "s"));
      this.needed = needed;
      this.found = found;
    }

    public int needed() {
      return needed;
    }

    public int found() {
      return found;
    }
  }

  public StagePlacement {
    slots = List.copyOf(slots);
    for (int s = 0; s < slots.size(); s++) {
      if (slots.get(s).stage() != s) {
        throw new IllegalArgumentException("placement slot " + s + " holds stage " + slots.get(s).stage());
      }
    }
  }

  /**
   * Places {@code stages} stages on the free devices of {@code workers}.
   *
   * @throws NotEnoughDevices when the workers have fewer free devices than stages
   */
  public static StagePlacement place(List<Worker> workers, int stages) {
    if (stages < 1) {
      throw new IllegalArgumentException("stages [" + stages + "]: must be at least 1");
    }
    int free = workers.stream().mapToInt(w -> w.freeDevices().size()).sum();
    if (free < stages) {
      throw new NotEnoughDevices(stages, free, workers.size());
    }
    List<Worker> byCapacity = workers.stream().filter(w -> !w.freeDevices().isEmpty())
        .sorted(Comparator.comparingInt((Worker w) -> -w.freeDevices().size()).thenComparing(Worker::node)).toList();
    List<Worker> chosen = new ArrayList<>();
    int held = 0;
    for (Worker w : byCapacity) {
      if (held >= stages) {
        break;
      }
      chosen.add(w);
      held += w.freeDevices().size();
    }
    chosen.sort(Comparator.comparing(Worker::node));
    List<Slot> slots = new ArrayList<>();
    for (Worker w : chosen) {
      for (int d = 0; d < w.freeDevices().size() && slots.size() < stages; d++) {
        slots.add(new Slot(slots.size(), w.node(), w.freeDevices().get(d)));
      }
    }
    return new StagePlacement(slots);
  }

  /** The slots on {@code node}, in stage order. */
  public List<Slot> on(String node) {
    return slots.stream().filter(s -> s.node().equals(node)).toList();
  }

  /** The workers used, in stage order. */
  public List<String> nodes() {
    return slots.stream().map(Slot::node).distinct().toList();
  }

  /** How many neighbouring stage pairs sit on different workers. */
  public int crossNodeEdges() {
    int edges = 0;
    for (int s = 1; s < slots.size(); s++) {
      edges += slots.get(s).node().equals(slots.get(s - 1).node()) ? 0 : 1;
    }
    return edges;
  }

  /** One line per stage: {@code stage 0: pekko://zbpp@10.0.0.5:25520 device 0}. */
  @Override
  public String toString() {
    StringBuilder b = new StringBuilder();
    for (Slot s : slots) {
      b.append("stage ").append(s.stage()).append(": ").append(s.node()).append(" device ").append(s.device())
          .append('\n');
    }
    return b.toString();
  }
}
