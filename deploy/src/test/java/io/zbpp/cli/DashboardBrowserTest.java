package io.zbpp.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.JsonParser;
import io.zbpp.client.JobSpecs;
import io.zbpp.client.ZbppClient;
import io.zbpp.jobs.Tokens;
import io.zbpp.protocol.jobs.JobState;
import io.zbpp.server.ClusterCoordinator;
import io.zbpp.server.ClusterNode;
import io.zbpp.server.NodeSettings;
import io.zbpp.server.Roles;
import io.zbpp.server.WorkerStages;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard on a coordinator's management port, with the job API and two one-device workers as actor systems
 * in one JVM (every message serialized). Over plain HTTP: the data needs a login, a wrong token is refused, the
 * session cookie is HttpOnly and SameSite=Strict, {@code /metrics}, {@code /ready} and {@code /alive} answer
 * without one, and {@code zbpp_jobs_queued} counts a job waiting for devices. In headless chromium (Debian's
 * {@code chromium} and {@code chromium-driver}; skipped with a message when neither can be found): a wrong token
 * is refused on the page, the right one shows the job list, and the job's page gains loss points as iterations
 * finish (server-sent events, no reload) and draws the timeline of the latest iteration. Screenshots go to
 * {@code target/dashboard/}; everything is checked on the DOM.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class DashboardBrowserTest {
  private static final String TOKEN = "alice-dashboard-token";
  private static final Duration PROVISION = Duration.ofSeconds(60);
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final Path SHOTS = Path.of("target", "dashboard");
  private static final List<ClusterNode> NODES = new ArrayList<>();
  private static CoordinatorServerCommand.Api api;
  private static URI management;

  @TempDir static Path dir;

  @BeforeAll
  static void startCluster() throws Exception {
    Path tokens = dir.resolve("tokens");
    Files.writeString(tokens, "alice:" + TOKEN + "\n");
    ClusterNode coordinator = ClusterNode.start(settings(List.of(), OptionalInt.of(0)), Roles.COORDINATOR,
        Roles.coordinator(ClusterCoordinator.behavior(PROVISION)), ClusterJobApiTest.TEST);
    NODES.add(coordinator);
    coordinator.awaitUp(Duration.ofSeconds(30));
    api = CoordinatorServerCommand.serveApi(coordinator, dir.resolve("data"), 0, Optional.empty(),
        Tokens.load(tokens), PROVISION);
    for (int w = 0; w < 2; w++) {
      NODES.add(ClusterNode.start(settings(List.of(coordinator.seed()), OptionalInt.empty()), Roles.WORKER,
          Roles.worker(1, "cpu", WorkerStages.fromProgram()), ClusterJobApiTest.TEST));
    }
    NODES.forEach(n -> n.awaitUp(Duration.ofSeconds(30)));
    api.devices(2).get(60, TimeUnit.SECONDS);
    management = coordinator.management().orElseThrow();
  }

  @AfterAll
  static void stopCluster() {
    if (api != null) {
      api.close();
    }
    NODES.forEach(ClusterNode::close);
  }

  private static NodeSettings settings(List<String> seeds, OptionalInt managementPort) {
    return new NodeSettings("127.0.0.1", 0, seeds, managementPort, Optional.empty(), Duration.ofSeconds(5));
  }

  private static ZbppClient client() {
    return ZbppClient.connect("127.0.0.1:" + api.port(), ZbppClient.options().token(TOKEN));
  }

  /** A two-stage job on the tiny model that runs until cancelled (far longer than the test). */
  private static String submitLong(ZbppClient alice, String name) {
    return alice.submit(JobSpecs.builder("zb-h1", 2, 4).name(name).iterations(100_000).model("tiny").build());
  }

  private static HttpResponse<String> get(String path, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(management.resolve(path));
    if (headers.length > 0) {
      b.headers(headers);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> login(String token) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(management.resolve("/dashboard/login"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"token\": \"" + token + "\"}")).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** {@code zbpp_jobs_queued} from {@code /metrics} (MetricsEndpointTest reads the whole format strictly). */
  private static double queued() throws Exception {
    return get("/metrics").body().lines().filter(l -> l.startsWith("zbpp_jobs_queued "))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.indexOf(' ') + 1))).findFirst()
        .orElseThrow(() -> new AssertionError("no zbpp_jobs_queued in /metrics"));
  }

  @Test
  void dataNeedsALoginWhileProbesAndMetricsStayOpen() throws Exception {
    assertThat(get("/").statusCode()).isEqualTo(200);
    assertThat(get("/").body()).contains("id=\"login-form\"");
    assertThat(get("/dashboard/api/jobs").statusCode()).isEqualTo(401);
    assertThat(get("/dashboard/api/events").statusCode()).isEqualTo(401);
    for (String open : List.of("/metrics", "/ready", "/alive")) {
      assertThat(get(open).statusCode()).as(open).isEqualTo(200);
    }

    HttpResponse<String> form = HTTP.send(HttpRequest.newBuilder(management.resolve("/dashboard/login"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString("token=" + TOKEN)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(form.statusCode()).as("a cross-site form cannot log in").isEqualTo(415);
    HttpResponse<String> wrong = login("not-" + TOKEN);
    assertThat(wrong.statusCode()).isEqualTo(401);
    assertThat(wrong.body()).contains("the token is not valid on this server");
    assertThat(wrong.headers().firstValue("Set-Cookie")).isEmpty();

    HttpResponse<String> right = login(TOKEN);
    assertThat(right.statusCode()).isEqualTo(200);
    String cookie = right.headers().firstValue("Set-Cookie").orElseThrow();
    assertThat(cookie).startsWith("zbpp_session=").contains("HttpOnly").contains("SameSite=Strict")
        .doesNotContain(TOKEN);
    String session = cookie.substring(0, cookie.indexOf(';'));

    try (ZbppClient alice = client()) {
      String running = submitLong(alice, "holds the devices");
      String waiting = submitLong(alice, "waits");
      assertThat(queued()).isEqualTo(1);
      HttpResponse<String> jobs = get("/dashboard/api/jobs", "Cookie", session);
      assertThat(jobs.statusCode()).isEqualTo(200);
      assertThat(JsonParser.parseString(jobs.body()).getAsJsonObject().getAsJsonArray("jobs"))
          .extracting(j -> j.getAsJsonObject().get("id").getAsString()).contains(running, waiting);
      assertThat(get("/dashboard/api/jobs/job-999999", "Cookie", session).statusCode()).isEqualTo(404);
      assertThat(alice.cancel(waiting)).isEqualTo(JobState.CANCELLED);
      assertThat(queued()).isZero();
      // cancelled once it iterates: its stages are placed then, and stop with it (the browser test needs them)
      CompletableFuture<Void> iterated = new CompletableFuture<>();
      try (AutoCloseable watch = alice.watch(running, e -> {
        if (e.hasIteration()) {
          iterated.complete(null);
        }
      }, e -> { })) {
        iterated.get(120, TimeUnit.SECONDS);
      }
      assertThat(alice.cancel(running)).isEqualTo(JobState.CANCELLED);
    }
    HTTP.send(HttpRequest.newBuilder(management.resolve("/dashboard/logout")).header("Cookie", session)
        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
    assertThat(get("/dashboard/api/jobs", "Cookie", session).statusCode()).isEqualTo(401);
  }

  @Test
  void aBrowserLogsInAndWatchesTheJobLive() throws Exception {
    Optional<Path> chromium = firstExisting("ZBPP_CHROMIUM", "/usr/lib/chromium/chromium", "/usr/bin/chromium",
        "/usr/bin/chromium-browser", "/usr/bin/google-chrome");
    Optional<Path> driverPath = firstExisting("ZBPP_CHROMEDRIVER", "/usr/bin/chromedriver",
        "/usr/lib/chromium/chromedriver");
    assumeTrue(chromium.isPresent() && driverPath.isPresent(), "no chromium and chromedriver found (Debian packages "
        + "chromium and chromium-driver; .ci/run installs them): the dashboard's browser test is skipped");
    Files.createDirectories(SHOTS);
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(driverPath.get().toFile()).usingAnyFreePort().build();
    ChromeOptions options = new ChromeOptions().setBinary(chromium.get().toFile())
        .addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
            "--window-size=1280,1700", "--user-data-dir=" + dir.resolve("chromium-profile"));
    WebDriver browser = new ChromeDriver(service, options);
    try (ZbppClient alice = client()) {
      WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(120));
      wait.ignoring(StaleElementReferenceException.class);
      browser.get(management.toString());
      wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("login-form")));
      logIn(browser, "not-" + TOKEN);
      wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("login-error"),
          "the token is not valid on this server"));
      assertThat(browser.findElement(By.id("jobs")).isDisplayed()).isFalse();
      shot(browser, "1-wrong-token.png");

      String id = submitLong(alice, "dashboard");
      logIn(browser, TOKEN);
      By row = By.cssSelector("#job-rows tr[data-job-id='" + id + "']");
      // each job event redraws the list: read and click the row as it is at that moment
      assertThat(text(wait, row)).contains(id, "dashboard", "alice", "zb-h1", "2 × 4");
      shot(browser, "2-jobs.png");
      wait.until(d -> {
        d.findElement(row).click();
        return true;
      });
      wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("job")));
      By points = By.cssSelector("#loss-chart circle.point");
      wait.until(d -> d.findElements(points).size() >= 2);
      int seen = browser.findElements(points).size();
      wait.until(d -> d.findElements(points).size() >= seen + 2);  // live: no reload in between
      assertThat(text(wait, By.id("live"))).isEqualTo("live");
      // the latest iteration as it ran: zb-h1 on 2 stages and 4 microbatches runs 2 x 4 x (F, B, W)
      wait.until(d -> d.findElements(By.cssSelector("#timeline svg rect.pass")).size() == 24);
      assertThat(browser.findElements(By.cssSelector("#timeline svg rect.pass.F"))).hasSize(8);
      assertThat(wait.until((WebDriver d) -> d.findElement(By.cssSelector("#timeline svg")).getSize()))
          .as("the timeline is laid out at the page's width").satisfies(size -> {
            assertThat(size.getWidth()).isGreaterThan(600);
            assertThat(size.getHeight()).isGreaterThan(50);
          });
      assertThat(browser.findElements(By.cssSelector("#stage-bars .stage-row"))).hasSize(2);
      assertThat(browser.findElements(By.cssSelector("#placement li"))).hasSize(2);
      assertThat(text(wait, By.cssSelector("#events li[data-kind='planned']"))).contains("planned zb-h1");
      assertThat(browser.findElements(By.cssSelector("#bubble-chart circle.point.predicted"))).isNotEmpty();
      shot(browser, "3-job.png");

      assertThat(alice.cancel(id)).isEqualTo(JobState.CANCELLED);
      wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("job-title"), "CANCELLED"));
      assertThat(text(wait, By.cssSelector("#events li[data-kind='finished']"))).contains("cancelled by alice");
    } finally {
      browser.quit();
      service.stop();
    }
  }

  /** The text of the element {@code by} finds, read again when a redraw replaced it meanwhile. */
  private static String text(WebDriverWait wait, By by) {
    return wait.until((WebDriver d) -> d.findElement(by).getText());
  }

  private static void logIn(WebDriver browser, String token) {
    WebElement field = browser.findElement(By.id("token"));
    field.clear();
    field.sendKeys(token);
    browser.findElement(By.id("login-button")).click();
  }

  private static void shot(WebDriver browser, String name) throws Exception {
    File f = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
    Files.copy(f.toPath(), SHOTS.resolve(name), StandardCopyOption.REPLACE_EXISTING);
  }

  /** The path named by the environment variable {@code env}, else the first of {@code paths} that exists. */
  private static Optional<Path> firstExisting(String env, String... paths) {
    String given = System.getenv(env);
    return Stream.concat(Stream.ofNullable(given), Stream.of(paths)).map(Path::of).filter(Files::isExecutable)
        .findFirst();
  }
}
