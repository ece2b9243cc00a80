package io.zbpp.logging;

import io.zbpp.protocol.msg.JobEpoch;
import io.zbpp.protocol.msg.SubmitJob;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The logging context (MDC) of a message an actor handles: {@code job} and {@code epoch} from its
 * {@link JobEpoch}, {@code iteration} and {@code stage} when the message names them, read from the record
 * components of those names. Actors install it with {@code Behaviors.withMdc(..., LogContext::of, ...)}, so every
 * line logged while they handle the message carries it (as JSON fields with {@code ZBPP_LOG_FORMAT=json}).
 */
public final class LogContext {
  /** The MDC keys this class sets. */
  public static final List<String> KEYS = List.of("job", "epoch", "iteration", "stage");

  private static final ClassValue<List<Method>> ACCESSORS = new ClassValue<>() {
    @Override
    protected List<Method> computeValue(Class<?> type) {
      if (!type.isRecord()) {
        return List.of();
      }
      return java.util.Arrays.stream(type.getRecordComponents())
          .filter(c -> (c.getName().equals("job") && c.getType() == JobEpoch.class)
              || ((c.getName().equals("iteration") || c.getName().equals("stage")) && c.getType() == int.class))
          .map(RecordComponent::getAccessor)
          .peek(m -> m.setAccessible(true))
          .toList();
    }
  };

  private LogContext() {}

  public static Map<String, String> of(Object message) {
    Map<String, String> mdc = new HashMap<>();
    if (message instanceof SubmitJob s) {
      mdc.put("job", s.spec().jobId());
      return mdc;
    }
    for (Method m : ACCESSORS.get(message.getClass())) {
      Object v;
      try {
        v = m.invoke(message);
      } catch (IllegalAccessException | InvocationTargetException e) {
        continue;
      }
      if (v instanceof JobEpoch j) {
        mdc.put("job", j.jobId());
        mdc.put("epoch", Long.toString(j.epoch()));
      } else if (v != null) {
        mdc.put(m.getName(), v.toString());
      }
    }
    return mdc;
  }
}
