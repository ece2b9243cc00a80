package io.zbpp.stage;

import io.zbpp.dataplane.DataAddress;
import io.zbpp.dataplane.DataPlane;
import io.zbpp.dataplane.DataPlaneConfig;
import io.zbpp.dataplane.FrameFault;
import io.zbpp.dataplane.FrameFaults;
import io.zbpp.dataplane.InMemoryDataPlane;
import io.zbpp.dataplane.NettyDataPlane;
import io.zbpp.dataplane.TensorSink;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * How a stage actor gets its tensor data plane ({@code StageActor.create(builder, planes)}): the actor opens
 * one plane when it starts, delivering to its own sink, reports the bound address in {@code ProgramLoaded} and
 * closes the plane when it stops. A stage host passes the same factory to every stage actor it spawns.
 */
@FunctionalInterface
public interface DataPlaneFactory {
  /** A plane and the address it is bound to. */
  record BoundPlane(DataPlane plane, DataAddress address) {
    public BoundPlane {
      Objects.requireNonNull(plane, "plane");
      Objects.requireNonNull(address, "address");
    }
  }

  /**
   * Creates and binds the data plane of one stage actor.
   *
   * @param id   the plane's id, unique among the planes of a job (the stage actor passes its own address)
   * @param sink where everything the plane receives goes (the stage actor's mailbox)
   */
  BoundPlane open(String id, TensorSink sink);

  /**
   * The frame faults to inject into what the stages send, all stages' (docs/faults.md "Message integrity"); each
   * stage actor gives its plane its own share ({@link FrameFaults#of}) once it knows its stage. None by default.
   */
  default List<FrameFault> frameFaults() {
    return List.of();
  }

  /**
   * These planes (and their faults), each plane also added to {@code opened} when it is opened: to read the
   * planes' {@link DataPlane#frameCounts()} after a job, e.g. to report what the integrity checks found.
   */
  default DataPlaneFactory recording(Collection<DataPlane> opened) {
    return of((id, sink) -> {
      BoundPlane b = open(id, sink);
      opened.add(b.plane());
      return b;
    }, frameFaults());
  }

  /** These planes, with {@code faults} injected into what the stages send. */
  default DataPlaneFactory withFrameFaults(List<FrameFault> faults) {
    return of(this, List.copyOf(faults));
  }

  private static DataPlaneFactory of(DataPlaneFactory planes, List<FrameFault> faults) {
    return new DataPlaneFactory() {
      @Override
      public BoundPlane open(String id, TensorSink sink) {
        return planes.open(id, sink);
      }

      @Override
      public List<FrameFault> frameFaults() {
        return faults;
      }
    };
  }

  /** Netty planes bound to a free port on {@code host} (plain TCP on loopback, or as {@code config} allows). */
  static DataPlaneFactory netty(DataPlaneConfig config, String host) {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(host, "host");
    return (id, sink) -> {
      NettyDataPlane plane = NettyDataPlane.create(id, config, sink);
      try {
        return new BoundPlane(plane, plane.bind(host, 0));
      } catch (RuntimeException e) {
        plane.close();
        throw e;
      }
    };
  }

  /** Planes inside one JVM that hand tensors over in memory; all stages of a job need the same network. */
  static DataPlaneFactory inMemory(InMemoryDataPlane.Network network) {
    Objects.requireNonNull(network, "network");
    return (id, sink) -> {
      InMemoryDataPlane plane = InMemoryDataPlane.create(id, network, sink);
      return new BoundPlane(plane, plane.bind("in-memory", 0));
    };
  }
}
