package io.zbpp.protocol.cluster;

import org.apache.pekko.actor.typed.receptionist.ServiceKey;

/** The Receptionist key under which every worker registers its stage host. */
public final class StageHosts {
  public static final ServiceKey<StageHostCommand> KEY = ServiceKey.create(StageHostCommand.class, "zbpp-stage-host");

  private StageHosts() {}
}
