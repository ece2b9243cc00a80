package io.zbpp.stage;

import io.zbpp.dataplane.DataAddress;
import io.zbpp.dataplane.DataPlane;
import io.zbpp.dataplane.DataPlaneConfig;
import io.zbpp.dataplane.InMemoryDataPlane;
import io.zbpp.dataplane.NettyDataPlane;
import io.zbpp.dataplane.TensorSink;
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
