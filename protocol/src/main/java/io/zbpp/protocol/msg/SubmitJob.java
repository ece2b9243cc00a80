package io.zbpp.protocol.msg;

import org.apache.pekko.actor.typed.ActorRef;

/** Client → coordinator: run a job and answer with its {@link JobOutcome}. */
public record SubmitJob(JobSpec spec, ActorRef<JobOutcome> replyTo) implements CoordinatorCommand, WireMessage {}
