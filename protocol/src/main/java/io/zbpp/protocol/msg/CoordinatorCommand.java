package io.zbpp.protocol.msg;

/**
 * What a coordinator actor accepts: {@link SubmitJob} from a client, and the stages' events
 * ({@link ProgramLoaded}, {@link IterationReport}, {@link TensorFrame} of parameters,
 * {@link ShardDigest}, {@link StageFailed}, {@link CommandRejected}).
 */
public interface CoordinatorCommand {}
