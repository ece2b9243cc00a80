package io.zbpp.cli;

import io.zbpp.protocol.cluster.DescribeHost;
import io.zbpp.protocol.cluster.HostDescribed;
import io.zbpp.protocol.cluster.ProvisioningEvent;
import io.zbpp.protocol.cluster.StageHostCommand;
import io.zbpp.protocol.cluster.StageHosts;
import io.zbpp.protocol.msg.CoordinatorCommand;
import io.zbpp.protocol.msg.CheckpointProgress;
import io.zbpp.protocol.msg.IterationResult;
import io.zbpp.protocol.msg.JobStarted;
import io.zbpp.runtime.ClusterTraining;
import io.zbpp.runtime.Coordinator;
import io.zbpp.runtime.LocalTraining;
import io.zbpp.runtime.TrainReport;
import io.zbpp.runtime.TrainSpec;
import io.zbpp.server.ClusterCoordinator;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;

/**
 * The job API's runner on a cluster (docs/jobs.md "On a cluster"): each job gets its own coordinator actor on
 * this node (the runtime's coordinator with the cluster provisioner, as the singleton is), so several jobs run at
 * once when the workers' devices allow; its stages are placed on the workers like any cluster job's, and it
 * trains through {@link ClusterTraining}, so its digest equals {@code zbpp train}'s. The devices are counted
 * from the stage hosts the Receptionist lists (each asked for its device count), and the API hears when they
 * change. Jobs are placed one after another (then run side by side). Cancelling a job tells its coordinator
 * {@link Coordinator.Cancel}: it stops the job's stages, also those still being placed, then itself.
 */
final class ClusterJobRunner {
  /** Local: the Receptionist's stage hosts now. */
  private record HostsListed(Set<ActorRef<StageHostCommand>> hosts)
      implements ProvisioningEvent, NoSerializationVerificationNeeded {}

  /** Local: stop a job's coordinator (cancel). */
  private enum Stop implements CoordinatorCommand, NoSerializationVerificationNeeded { STOP }

  private ClusterJobRunner() {}

  /**
   * A runner on {@code system}'s cluster.
   *
   * @param provisionTimeout how long a started job waits for its stages (the previous job's may still be stopping)
   */
  static TrainJobRunner create(ActorSystem<?> system, Duration provisionTimeout) {
    AtomicInteger devices = new AtomicInteger();
    List<Runnable> listeners = new CopyOnWriteArrayList<>();
    system.systemActorOf(deviceCount(total -> {
      devices.set(total);
      listeners.forEach(Runnable::run);
    }), "job-api-devices", Props.empty());
    AtomicLong jobs = new AtomicLong();
    Semaphore placing = new Semaphore(1, true);
    return new TrainJobRunner(devices::get,
        id -> training(system, provisionTimeout, placing, id, jobs.incrementAndGet()), listeners::add,
        "the cluster's workers");
  }

  /**
   * One job's training. Jobs are placed one at a time ({@code placing}): a host's free devices are only taken
   * once it spawned the stages, so two jobs placed at once could both choose the same free device and be refused.
   * A job holds its turn until it has its stages or its coordinator has stopped (a cancelled job's coordinator
   * stops only once the stages it was placing are stopped), so the next job is placed on what it freed.
   */
  private static TrainJobRunner.Training training(ActorSystem<?> system, Duration provisionTimeout,
      Semaphore placing, String id, long n) {
    Turn turn = new Turn(placing);
    ActorRef<CoordinatorCommand> coordinator = system.systemActorOf(perJob(provisionTimeout, turn::end),
        "job-api-" + n + "-" + id, Props.empty());
    return new TrainJobRunner.Training() {
      @Override
      public TrainReport train(TrainSpec spec, LocalTraining.Listener listener) {
        try {
          turn.take();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("cancelled while waiting to be placed", e);
        }
        return ClusterTraining.train(system, coordinator, spec, new LocalTraining.Listener() {
          @Override
          public void started(JobStarted s) {
            turn.end();
            listener.started(s);
          }

          @Override
          public void iteration(IterationResult it) {
            listener.iteration(it);
          }

          @Override
          public void checkpoint(CheckpointProgress c) {
            listener.checkpoint(c);
          }

          @Override
          public void recovered(io.zbpp.protocol.msg.JobRecovered r) {
            listener.recovered(r);
          }
        });
      }

      @Override
      public void close() {
        coordinator.tell(Stop.STOP);
      }
    };
  }

  /** A job's turn to be placed: taken once, given back once (when placed, or when its coordinator stopped). */
  private static final class Turn {
    private final Semaphore placing;
    private boolean taken;
    private boolean ended;

    Turn(Semaphore placing) {
      this.placing = placing;
    }

    void take() throws InterruptedException {
      placing.acquire();
      synchronized (this) {
        if (!ended) {
          taken = true;
          return;
        }
      }
      placing.release(); // the coordinator stopped while this job waited for its turn
    }

    synchronized void end() {
      if (taken && !ended) {
        placing.release();
      }
      ended = true;
    }
  }

  /**
   * Forwards to a child coordinator until {@link Stop}; then tells it {@link Coordinator.Cancel} (it stops the
   * job's stages, also those still being placed, and stops) and stops when it has, calling {@code stopped}.
   */
  private static Behavior<CoordinatorCommand> perJob(Duration provisionTimeout, Runnable stopped) {
    return Behaviors.setup(ctx -> {
      ActorRef<CoordinatorCommand> coordinator = ctx.spawn(ClusterCoordinator.behavior(provisionTimeout),
          "coordinator");
      ctx.watch(coordinator);
      Behavior<CoordinatorCommand> stopping = Behaviors.receive(CoordinatorCommand.class)
          .onSignal(Terminated.class, t -> Behaviors.stopped(stopped::run))
          .build();
      return Behaviors.receive(CoordinatorCommand.class)
          .onMessageEquals(Stop.STOP, () -> {
            coordinator.tell(Coordinator.Cancel.CANCEL);
            return stopping;
          })
          .onAnyMessage(m -> {
            coordinator.tell(m);
            return Behaviors.same();
          })
          .onSignal(Terminated.class, t -> Behaviors.stopped(stopped::run))
          .build();
    });
  }

  /** Sums the devices of the listed stage hosts and reports each new total. */
  private static Behavior<ProvisioningEvent> deviceCount(java.util.function.IntConsumer report) {
    return Behaviors.setup(ctx -> {
      ActorRef<Receptionist.Listing> listings = ctx.messageAdapter(Receptionist.Listing.class,
          l -> new HostsListed(l.getServiceInstances(StageHosts.KEY)));
      ctx.getSystem().receptionist().tell(Receptionist.subscribe(StageHosts.KEY, listings));
      Map<ActorRef<StageHostCommand>, Integer> hosts = new HashMap<>();
      Set<ActorRef<StageHostCommand>> listed = new java.util.HashSet<>();
      Runnable total = () -> report.accept(hosts.values().stream().mapToInt(Integer::intValue).sum());
      return Behaviors.receive(ProvisioningEvent.class)
          .onMessage(HostsListed.class, l -> {
            listed.clear();
            listed.addAll(l.hosts());
            if (hosts.keySet().retainAll(l.hosts())) {
              total.run();
            }
            l.hosts().stream().filter(h -> !hosts.containsKey(h)).forEach(h -> h.tell(new DescribeHost(ctx.getSelf())));
            return Behaviors.same();
          })
          .onMessage(HostDescribed.class, d -> {
            if (listed.contains(d.host())) {
              hosts.put(d.host(), d.devices());
              total.run();
            }
            return Behaviors.same();
          })
          .onAnyMessage(m -> Behaviors.same())
          .build();
    });
  }
}
