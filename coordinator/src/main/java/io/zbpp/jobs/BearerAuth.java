package io.zbpp.jobs;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.Optional;

/**
 * Lets a call through only with {@code authorization: Bearer <token>} of a token in the {@link Tokens} file,
 * and puts the caller in the call's {@link Context} ({@link #CALLER}); every other call ends UNAUTHENTICATED.
 */
public final class BearerAuth implements ServerInterceptor {
  /** The authenticated caller of the current call. */
  public static final Context.Key<Tokens.Caller> CALLER = Context.key("zbpp-caller");

  static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  private static final String BEARER = "Bearer ";

  private final Tokens tokens;

  public BearerAuth(Tokens tokens) {
    this.tokens = tokens;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
      ServerCallHandler<Q, R> next) {
    String header = headers.get(AUTHORIZATION);
    Optional<Tokens.Caller> caller = header != null && header.startsWith(BEARER)
        ? tokens.verify(header.substring(BEARER.length()).strip()) : Optional.empty();
    if (caller.isEmpty()) {
      call.close(Status.UNAUTHENTICATED.withDescription(header == null
          ? "no bearer token: send the header 'authorization: Bearer <token>' (zbpp: --token-file or ZBPP_TOKEN)"
          : "the bearer token is not valid on this server"), new Metadata());
      return new ServerCall.Listener<>() { };
    }
    return Contexts.interceptCall(Context.current().withValue(CALLER, caller.get()), call, headers, next);
  }
}
