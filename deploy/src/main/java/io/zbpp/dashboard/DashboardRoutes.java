package io.zbpp.dashboard;

import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import io.zbpp.jobs.JobApi;
import io.zbpp.jobs.JobStore;
import io.zbpp.jobs.Tokens;
import io.zbpp.protocol.jobs.JobEvent;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.AbstractExtensionId;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.Extension;
import org.apache.pekko.actor.ExtensionIdProvider;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.http.javadsl.marshalling.sse.EventStreamMarshalling;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpCharsets;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.MediaType;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.HttpCookie;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.model.headers.SameSite;
import org.apache.pekko.http.javadsl.model.sse.ServerSentEvent;
import org.apache.pekko.http.javadsl.server.Directives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;
import org.apache.pekko.management.javadsl.ManagementRouteProvider;
import org.apache.pekko.management.javadsl.ManagementRouteProviderSettings;
import org.apache.pekko.stream.OverflowStrategy;
import org.apache.pekko.stream.javadsl.Source;

/**
 * The job dashboard on the coordinator's management port (docs/observability.md): the page at {@code /}, its
 * script and style under {@code /dashboard/}, and behind a login its data: {@code GET /dashboard/api/jobs}, {@code
 * GET /dashboard/api/jobs/ID} (JSON, {@link DashboardData}) and {@code GET /dashboard/api/events}, a server-sent
 * event per job event as it happens. {@code POST /dashboard/login} takes {@code {"token": "..."}} (a job API token)
 * and answers with an HttpOnly, SameSite=Strict session cookie ({@link Sessions}); tokens never travel in a URL
 * and are never logged. Registered by {@code NodeSettings} on coordinator nodes; until the job API is {@link
 * #attach attached} the data answers 503.
 */
public final class DashboardRoutes extends AbstractExtensionId<DashboardRoutes.Provider>
    implements ExtensionIdProvider {
  public static final DashboardRoutes INSTANCE = new DashboardRoutes();
  /** The session cookie's name. */
  static final String COOKIE = "zbpp_session";
  private static final String RESOURCES = "io/zbpp/dashboard/";
  private static final List<HttpHeader> NO_STORE = List.of(RawHeader.create("Cache-Control", "no-store"));
  private static final List<HttpHeader> PAGE_HEADERS = List.of(RawHeader.create("Content-Security-Policy",
      "default-src 'self'; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'"),
      RawHeader.create("X-Content-Type-Options", "nosniff"));

  @Override
  public DashboardRoutes lookup() {
    return INSTANCE;
  }

  @Override
  public Provider createExtension(ExtendedActorSystem system) {
    return new Provider();
  }

  /** Serves the dashboard of {@code api}'s jobs, with logins by {@code tokens}, on {@code system}'s management port. */
  public static void attach(ActorSystem<?> system, JobStore store, JobApi api, Tokens tokens) {
    INSTANCE.get(Adapter.toClassic(system)).attached.set(new Attached(new DashboardData(store), api,
        new Sessions(tokens, Clock.systemUTC())));
  }

  /** The node no longer serves the job API (a coordinator handed it over): the dashboard answers 503 again. */
  public static void detach(ActorSystem<?> system) {
    INSTANCE.get(Adapter.toClassic(system)).attached.set(null);
  }

  /**
   * The node is a coordinator that serves the job API only while it is the active one: until it is, the dashboard's
   * 503 says where the active coordinator is ({@code activeAt}).
   */
  public static void standingBy(ActorSystem<?> system, java.util.function.Supplier<String> activeAt) {
    INSTANCE.get(Adapter.toClassic(system)).standby.set(activeAt);
  }

  private record Attached(DashboardData data, JobApi api, Sessions sessions) {}

  /** The route provider Pekko Management asks for its routes. */
  public static final class Provider implements ManagementRouteProvider, Extension {
    private final AtomicReference<Attached> attached = new AtomicReference<>();
    private final AtomicReference<java.util.function.Supplier<String>> standby = new AtomicReference<>();

    @Override
    public Route routes(ManagementRouteProviderSettings settings) {
      return Directives.concat(
          Directives.pathSingleSlash(() -> Directives.get(() -> Directives.respondWithHeaders(PAGE_HEADERS,
              () -> Directives.getFromResource(RESOURCES + "index.html", ContentTypes.TEXT_HTML_UTF8)))),
          Directives.pathPrefix("dashboard", () -> Directives.concat(
              asset("app.js", MediaTypes.APPLICATION_JAVASCRIPT),
              asset("app.css", MediaTypes.TEXT_CSS),
              Directives.path("login", () -> Directives.post(this::login)),
              Directives.path("logout", () -> Directives.post(this::logout)),
              Directives.pathPrefix("api", () -> Directives.respondWithHeaders(NO_STORE,
                  () -> loggedIn(this::api))))));
    }

    private static Route asset(String name, MediaType.WithOpenCharset type) {
      return Directives.path(name, () -> Directives.get(() -> Directives.getFromResource(RESOURCES + name,
          ContentTypes.create(type, HttpCharsets.UTF_8))));
    }

    private Route api(Attached a) {
      return Directives.concat(
          Directives.path("jobs", () -> Directives.get(() -> json(StatusCodes.OK, a.data().jobs()))),
          Directives.path(PathMatchers.segment("jobs").slash(PathMatchers.segment()), id -> Directives.get(
              () -> a.data().job(id).map(j -> json(StatusCodes.OK, j))
                  .orElseGet(() -> error(StatusCodes.NOT_FOUND, "no job with id [" + id + "]")))),
          Directives.path("events", () -> Directives.get(() -> events(a.api()))));
    }

    private Route logout() {
      return Directives.optionalCookie(COOKIE, c -> {
        Attached a = attached.get();
        if (a != null) {
          c.ifPresent(pair -> a.sessions().logout(pair.value()));
        }
        return Directives.deleteCookie(HttpCookie.create(COOKIE, "").withPath("/"),
            () -> json(StatusCodes.OK, new JsonObject()));
      });
    }

    /**
     * Only a JSON body: another site's page can post a form (text/plain, urlencoded) cross-site without asking, but
     * JSON needs a CORS preflight this server never grants, so no other site can log a browser in.
     */
    private Route login() {
      return Directives.extractRequestEntity(request -> request.getContentType().mediaType()
          .equals(MediaTypes.APPLICATION_JSON)
          ? Directives.entity(Unmarshaller.entityToString(), this::login)
          : error(StatusCodes.UNSUPPORTED_MEDIA_TYPE, "expected Content-Type application/json"));
    }

    /** {@code {"token": "..."}}: a session cookie for a valid token, 401 otherwise. */
    private Route login(String body) {
      Attached a = attached.get();
      if (a == null) {
        return notAttached();
      }
      String token;
      try {
        JsonObject o = JsonParser.parseString(body).getAsJsonObject();
        token = o.has("token") ? o.get("token").getAsString() : "";
      } catch (JsonParseException | IllegalStateException | UnsupportedOperationException e) {
        return error(StatusCodes.BAD_REQUEST, "expected a JSON body {\"token\": \"...\"}");
      }
      return a.sessions().login(token.strip()).map(id -> Directives.setCookie(HttpCookie.create(COOKIE, id)
              .withHttpOnly(true).withSameSite(SameSite.Strict).withPath("/")
              .withMaxAge(Sessions.LIFETIME.toSeconds()),
          () -> json(StatusCodes.OK, new JsonObject())))
          .orElseGet(() -> error(StatusCodes.UNAUTHORIZED, "the token is not valid on this server"));
    }

    /** {@code inner} with the attached API when the request carries a live session; 401 or 503 otherwise. */
    private Route loggedIn(Function<Attached, Route> inner) {
      return Directives.optionalCookie(COOKIE, cookie -> {
        Attached a = attached.get();
        if (a == null) {
          return notAttached();
        }
        return cookie.flatMap(c -> a.sessions().caller(c.value())).map(caller -> inner.apply(a))
            .orElseGet(() -> error(StatusCodes.UNAUTHORIZED, "log in with a job API token"));
      });
    }

    /** A server-sent event per job event: {@code {"job": ID, "sequence": N, "kind": KIND}}; comments keep it alive. */
    private static Route events(JobApi api) {
      Source<ServerSentEvent, NotUsed> events = Source.<ServerSentEvent>queue(256, OverflowStrategy.dropHead())
          .mapMaterializedValue(queue -> {
            Runnable stop = api.onEvent(e -> queue.offer(ServerSentEvent.create(brief(e).toString(), "job")));
            queue.watchCompletion().whenComplete((done, failure) -> stop.run());
            return NotUsed.getInstance();
          })
          .keepAlive(Duration.ofSeconds(15), ServerSentEvent::heartbeat);
      return Directives.complete(StatusCodes.OK, events, EventStreamMarshalling.toEventStream());
    }

    private static JsonObject brief(JobEvent e) {
      JsonObject o = new JsonObject();
      o.addProperty("job", e.getJobId());
      o.addProperty("sequence", e.getSequence());
      o.addProperty("kind", e.getEventCase().name().toLowerCase(java.util.Locale.ROOT));
      return o;
    }

    private Route notAttached() {
      java.util.function.Supplier<String> activeAt = standby.get();
      return error(StatusCodes.SERVICE_UNAVAILABLE, activeAt == null
          ? "this node serves no job API (zbpp coordinator --api-port)"
          : "this coordinator is on standby; the dashboard is served by the active coordinator (" + activeAt.get()
              + ")");
    }
  }

  private static Route json(StatusCode status, JsonObject body) {
    return Directives.complete(status, HttpEntities.create(ContentTypes.APPLICATION_JSON, body.toString()));
  }

  private static Route error(StatusCode status, String message) {
    JsonObject o = new JsonObject();
    o.addProperty("error", message);
    return json(status, o);
  }
}
