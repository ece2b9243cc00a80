package io.zbpp.runtime;

import io.zbpp.dataplane.DataPlaneConfig;
import io.zbpp.dataplane.FrameFault;
import io.zbpp.dataplane.InMemoryDataPlane;
import io.zbpp.stage.DataPlaneFactory;
import java.util.List;
import java.util.Optional;

/**
 * How activations and gradients travel between the stage actors of one JVM ({@code zbpp train --data-plane}):
 * as TensorFrame actor messages ({@code artery}), over in-memory data planes ({@code memory}), or over Netty
 * data planes on 127.0.0.1, one per stage, plain TCP ({@code netty}: the cluster's transport, in one process).
 */
public enum DataPlaneKind {
  ARTERY, MEMORY, NETTY;

  /** What {@code zbpp train} uses unless told otherwise. */
  public static final DataPlaneKind DEFAULT = MEMORY;

  /** The option value: the name in lower case. */
  public String flag() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  /** @throws IllegalArgumentException naming {@code --data-plane}, the value and what is accepted */
  public static DataPlaneKind parse(String v) {
    for (DataPlaneKind k : values()) {
      if (k.flag().equals(v)) {
        return k;
      }
    }
    throw new IllegalArgumentException("--data-plane [" + v + "]: expected artery, memory or netty");
  }

  /** The planes for the stage actors of one job (a fresh in-memory network per job), or none for Artery. */
  Optional<DataPlaneFactory> planesForJob() {
    return planesForJob(List.of());
  }

  /**
   * As {@link #planesForJob()}, the stages injecting {@code frameFaults} into what they send.
   *
   * @throws IllegalArgumentException naming a fault this transport cannot inject (Artery: none; memory: no
   *     drop-frame or corrupt-frame)
   */
  Optional<DataPlaneFactory> planesForJob(List<FrameFault> frameFaults) {
    if (this == ARTERY && !frameFaults.isEmpty()) {
      throw new IllegalArgumentException(frameFaults.get(0) + ": frame faults are injected on a data plane;"
          + " use --data-plane netty or memory");
    }
    if (this == MEMORY) {
      InMemoryDataPlane.checkFaults(frameFaults);
    }
    Optional<DataPlaneFactory> planes = switch (this) {
      case ARTERY -> Optional.empty();
      case MEMORY -> Optional.of(DataPlaneFactory.inMemory(new InMemoryDataPlane.Network()));
      case NETTY -> Optional.of(DataPlaneFactory.netty(DataPlaneConfig.plain(), "127.0.0.1"));
    };
    return planes.map(f -> frameFaults.isEmpty() ? f : f.withFrameFaults(frameFaults));
  }
}
