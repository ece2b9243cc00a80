package io.zbpp.client;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/**
 * A call to the job API failed; the subclass says how, {@link #code()} is the gRPC status code and the message
 * is the server's (for a bad spec it starts with the field path).
 */
public class ZbppException extends RuntimeException {
  private final Status.Code code;

  ZbppException(Status.Code code, String message, Throwable cause) {
    super(message, cause);
    this.code = code;
  }

  /** The gRPC status code. */
  public Status.Code code() {
    return code;
  }

  /** INVALID_ARGUMENT: a bad spec or argument; the message starts with the field path. */
  public static final class InvalidArgument extends ZbppException {
    InvalidArgument(String m, Throwable c) {
      super(Status.Code.INVALID_ARGUMENT, m, c);
    }
  }

  /** NOT_FOUND: no job with that id. */
  public static final class NotFound extends ZbppException {
    NotFound(String m, Throwable c) {
      super(Status.Code.NOT_FOUND, m, c);
    }
  }

  /** UNAUTHENTICATED: no token, or one the server does not know. */
  public static final class Unauthenticated extends ZbppException {
    Unauthenticated(String m, Throwable c) {
      super(Status.Code.UNAUTHENTICATED, m, c);
    }
  }

  /** PERMISSION_DENIED: e.g. cancelling another user's job without an admin token. */
  public static final class PermissionDenied extends ZbppException {
    PermissionDenied(String m, Throwable c) {
      super(Status.Code.PERMISSION_DENIED, m, c);
    }
  }

  /** FAILED_PRECONDITION: the cluster cannot fit the job, or the job has no result (yet). */
  public static final class FailedPrecondition extends ZbppException {
    FailedPrecondition(String m, Throwable c) {
      super(Status.Code.FAILED_PRECONDITION, m, c);
    }
  }

  /** RESOURCE_EXHAUSTED: the request is too large. */
  public static final class ResourceExhausted extends ZbppException {
    ResourceExhausted(String m, Throwable c) {
      super(Status.Code.RESOURCE_EXHAUSTED, m, c);
    }
  }

  /** UNAVAILABLE: the server cannot be reached. */
  public static final class Unavailable extends ZbppException {
    Unavailable(String m, Throwable c) {
      super(Status.Code.UNAVAILABLE, m, c);
    }
  }

  /** The typed exception for a failed call. */
  static ZbppException of(StatusRuntimeException e) {
    Status s = e.getStatus();
    String m = s.getDescription() != null ? s.getDescription() : s.getCode().toString();
    return switch (s.getCode()) {
      case INVALID_ARGUMENT -> new InvalidArgument(m, e);
      case NOT_FOUND -> new NotFound(m, e);
      case UNAUTHENTICATED -> new Unauthenticated(m, e);
      case PERMISSION_DENIED -> new PermissionDenied(m, e);
      case FAILED_PRECONDITION -> new FailedPrecondition(m, e);
      case RESOURCE_EXHAUSTED -> new ResourceExhausted(m, e);
      case UNAVAILABLE -> new Unavailable(m, e);
      default -> new ZbppException(s.getCode(), s.getCode() + ": " + m, e);
    };
  }
}
