package io.zbpp.dashboard;

import io.zbpp.jobs.Tokens;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The dashboard's logins: a token checked once by {@link Tokens} becomes a session, a random 256-bit id the
 * browser keeps in an HttpOnly cookie; the token itself is never kept. A session lasts {@link #LIFETIME} from its
 * login; at most {@link #MAX} live at once (the oldest go first).
 */
final class Sessions {
  static final Duration LIFETIME = Duration.ofHours(8);
  static final int MAX = 10_000;

  private record Session(Tokens.Caller caller, long expiresMillis) {}

  private final Tokens tokens;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();
  private final Map<String, Session> live = new LinkedHashMap<>();

  Sessions(Tokens tokens, Clock clock) {
    this.tokens = tokens;
    this.clock = clock;
  }

  /** A new session's id for the holder of {@code token}; empty when the token is not valid. */
  synchronized Optional<String> login(String token) {
    Optional<Tokens.Caller> caller = tokens.verify(token);
    if (caller.isEmpty()) {
      return Optional.empty();
    }
    byte[] bytes = new byte[32];
    random.nextBytes(bytes);
    String id = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    if (live.size() >= MAX) {
      live.remove(live.keySet().iterator().next());
    }
    live.put(id, new Session(caller.get(), clock.millis() + LIFETIME.toMillis()));
    return Optional.of(id);
  }

  /** Who holds the session {@code id}, while it lasts. */
  synchronized Optional<Tokens.Caller> caller(String id) {
    Session s = live.get(id);
    if (s == null) {
      return Optional.empty();
    }
    if (clock.millis() >= s.expiresMillis()) {
      live.remove(id);
      return Optional.empty();
    }
    return Optional.of(s.caller());
  }

  synchronized void logout(String id) {
    live.remove(id);
  }
}
