package dev.strata.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.dsl.FeatureView;
import dev.strata.examples.flights.FlightsRepository;
import dev.strata.online.RedisLauncher;
import dev.strata.online.RedisOnlineStore;
import dev.strata.online.RedisOnlineStore.OnlineRow;
import dev.strata.online.RedisOnlineStore.Status;
import dev.strata.registry.ApplyOptions;
import dev.strata.registry.RegistryStore;
import dev.strata.registry.jdbc.JdbcRegistryStore;
import dev.strata.registry.jdbc.RegistryUrls;
import dev.strata.server.RawHttp.Reply;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The server as an attacker or a broken client meets it, through raw sockets: API keys that no path
 * spelling gets around, validated pushes, bounded memory and bodies, problem+json for errors Tomcat
 * itself raises, a password-protected Redis, and a stalled Redis that never holds a request past
 * its deadline.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability
class ServerHardeningTest {
  static final String PASSWORD = "s3cret-pw";
  static final RedisLauncher REDIS = RedisLauncher.single(PASSWORD);
  static final String REGISTRY;
  static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.SECONDS);
  static final long DEADLINE_MS = 200;

  static {
    try {
      REGISTRY =
          RegistryUrls.embedded(Files.createTempDirectory("strata-hardening").resolve("registry"));
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
    try (RegistryStore r = JdbcRegistryStore.open(REGISTRY);
        RedisOnlineStore store = RedisOnlineStore.connect(REDIS.url())) {
      r.apply(FlightsRepository.definitions("data/flights.parquet"), ApplyOptions.defaults());
      store.write(
          r.featureView("origin_delays").orElseThrow(),
          1,
          List.of(
              new OnlineRow(
                  List.of("ATL"),
                  Instants.micros(NOW.minusSeconds(60)),
                  new Object[] {1.5, 2.5, 3.5, 10L, 200L, 1400L, 0.25, 90L, 12.0})));
    }
  }

  @DynamicPropertySource
  static void settings(DynamicPropertyRegistry p) {
    p.add("strata.registry-url", () -> REGISTRY);
    p.add("strata.redis-url", REDIS::url);
    p.add("strata.max-rows", () -> "100");
    p.add("strata.max-body-bytes", () -> "65536");
    p.add("strata.request-deadline", () -> DEADLINE_MS + "ms");
    p.add("strata.keyed-reads", () -> "true");
    p.add("strata.body-timeout", () -> "3s");
    p.add("strata.api-keys.reader-key", () -> "read");
    p.add("strata.api-keys.writer-key", () -> "write");
    p.add("strata.api-keys.admin-key", () -> "admin");
  }

  @AfterAll
  static void stop() {
    REDIS.close();
  }

  @LocalServerPort int port;
  @Autowired FeatureResolver resolver;

  static final String READ =
      "{\"features\": [\"origin_delays:avg_delay_1h\"], \"entities\": {\"origin\": [\"ATL\"]}}";

  static String push(String origin, String destination, String time) {
    return "{\"feature_view\": \"route_stats\", \"rows\": [{\"entity\": {\"origin\": \""
        + origin
        + "\", \"destination\": \""
        + destination
        + "\"}, \"event_timestamp\": \""
        + time
        + "\", \"values\": {\"route_avg_delay_7d\": 999999,"
        + " \"route_flights_7d\": 1, \"route_late_share_30d\": 0.5, \"route_distance\": 1}}]}";
  }

  /**
   * Spellings of a path that a naive prefix check misses: encodings, slashes, ';', case, dot
   * segments.
   */
  static List<String> variants(String path) {
    Set<String> out = new LinkedHashSet<>();
    String[] segments = path.substring(1).split("/");
    for (int s = 0; s < segments.length; s++) {
      for (boolean upper : new boolean[] {false, true}) {
        String[] copy = segments.clone();
        String hex = String.format(upper ? "%%%02X" : "%%%02x", (int) copy[s].charAt(0));
        copy[s] = hex + copy[s].substring(1);
        out.add("/" + String.join("/", copy));
      }
      String[] copy = segments.clone();
      StringBuilder all = new StringBuilder();
      for (char c : copy[s].toCharArray()) {
        all.append(String.format("%%%02X", (int) c));
      }
      copy[s] = all.toString();
      out.add("/" + String.join("/", copy));
      copy = segments.clone();
      copy[s] = copy[s].toUpperCase();
      out.add("/" + String.join("/", copy));
      copy = segments.clone();
      copy[s] = copy[s] + ";x=1";
      out.add("/" + String.join("/", copy));
      copy = segments.clone();
      copy[s] = "%25" + String.format("%02x", (int) copy[s].charAt(0)) + copy[s].substring(1);
      out.add("/" + String.join("/", copy));
    }
    String last = segments[segments.length - 1];
    String head = path.substring(0, path.length() - last.length());
    out.add("/" + path);
    out.add(head + "/" + last);
    out.add(path + "/");
    out.add(path + "//");
    out.add(path + ";");
    out.add(path + "/.");
    out.add(head + "./" + last);
    out.add(head + "x/../" + last);
    out.add(head + "%2e/" + last);
    out.add(head + "x/%2e%2e/" + last);
    out.add("/." + path);
    out.add(path.replace("/", "%2F"));
    out.add(head.substring(0, head.length() - 1) + "%2f" + last);
    out.add(head.substring(0, head.length() - 1) + "%5C" + last);
    out.add(head.substring(0, head.length() - 1) + "\\" + last);
    out.add(path + "%00");
    out.add(path + "%00.json");
    out.add(path + ".json");
    out.add(path + "%20");
    out.add(path + "%09");
    out.add(path + "%23x");
    out.add(path + "?x=1");
    out.add(path + "/%2e%2e/" + last);
    out.add(path + "%zz");
    return new ArrayList<>(out);
  }

  @Test
  void noPathSpellingGetsPastTheKeyCheck() throws Exception {
    int checked = 0;
    // push (write): the canonical path refuses no key and a read key, takes a write key
    assertThat(
            RawHttp.send(port, "POST", "/v1/features/push", push("SFO", "JFK", NOW.toString()))
                .status())
        .isEqualTo(401);
    assertThat(
            RawHttp.send(
                    port,
                    "POST",
                    "/v1/features/push",
                    push("SFO", "JFK", NOW.toString()),
                    "X-API-Key: reader-key")
                .status())
        .isEqualTo(403);
    List<String> pushVariants = variants("/v1/features/push");
    assertThat(pushVariants).hasSizeGreaterThanOrEqualTo(30);
    for (String v : pushVariants) {
      for (String[] key : new String[][] {{}, {"X-API-Key: reader-key"}}) {
        Reply r = RawHttp.send(port, "POST", v, push("BYP", "ASS", NOW.toString()), key);
        assertThat(r.status())
            .as("POST " + v + " " + List.of(key) + " -> " + r)
            .isBetween(400, 499)
            .isNotEqualTo(404);
        assertThat(r.isProblem()).as("POST " + v + " -> " + r).isTrue();
        checked++;
      }
    }
    // nothing was written by any of them
    try (RegistryStore reg = JdbcRegistryStore.open(REGISTRY);
        RedisOnlineStore store = RedisOnlineStore.connect(REDIS.url())) {
      FeatureView route = reg.featureView("route_stats").orElseThrow();
      assertThat(store.read(route, 1, List.of(List.of("BYP", "ASS")), NOW).get(0).status())
          .isEqualTo(Status.NOT_FOUND);
    }
    Reply written =
        RawHttp.send(
            port,
            "POST",
            "/v1/features/push",
            push("SFO", "JFK", NOW.toString()),
            "X-API-Key: writer-key");
    assertThat(written.status()).as(written.toString()).isEqualTo(200);

    // admin endpoints
    assertThat(
            RawHttp.send(port, "GET", "/actuator/metrics", null, "X-API-Key: admin-key").status())
        .isEqualTo(200);
    for (String v : variants("/actuator/metrics")) {
      for (String[] key : new String[][] {{}, {"X-API-Key: writer-key"}}) {
        Reply r = RawHttp.send(port, "GET", v, null, key);
        assertThat(r.status()).as("GET " + v + " -> " + r).isBetween(400, 499);
        assertThat(r.body()).doesNotContain("jvm.memory");
        assertThat(r.isProblem()).as("GET " + v + " -> " + r).isTrue();
        checked++;
      }
    }
    // keyed reads
    assertThat(
            RawHttp.send(port, "POST", "/v1/features/online", READ, "X-API-Key: reader-key")
                .status())
        .isEqualTo(200);
    for (String path : List.of("/v1/features/online", "/get-online-features")) {
      assertThat(RawHttp.send(port, "POST", path, READ).status()).isEqualTo(401);
      for (String v : variants(path)) {
        Reply r = RawHttp.send(port, "POST", v, READ);
        assertThat(r.status()).as("POST " + v + " -> " + r).isBetween(400, 499);
        assertThat(r.body()).doesNotContain("avg_delay_1h");
        assertThat(r.isProblem()).as("POST " + v + " -> " + r).isTrue();
        checked++;
      }
    }
    assertThat(checked).isGreaterThan(150);
  }

  @Test
  void healthShowsDetailsOnlyToAdminsAndNeverThePassword() throws Exception {
    Reply open = RawHttp.send(port, "GET", "/actuator/health", null);
    assertThat(open.status()).isEqualTo(200);
    assertThat(open.json().get("status").asText()).isEqualTo("UP");
    assertThat(open.body())
        .doesNotContain("components")
        .doesNotContain("127.0.0.1")
        .doesNotContain("path");
    Reply admin = RawHttp.send(port, "GET", "/actuator/health", null, "X-API-Key: admin-key");
    assertThat(admin.json().at("/components/onlineStore/details/url").asText())
        .isEqualTo("redis://:***@127.0.0.1:" + REDIS.ports().get(0));
    assertThat(admin.body()).doesNotContain(PASSWORD);
    assertThat(RawHttp.send(port, "GET", "/actuator/health", null, "X-API-Key: nope").status())
        .isEqualTo(401);
  }

  @Test
  void pushesAreValidatedAndAudited() throws Exception {
    String key = "X-API-Key: writer-key";
    String[][] cases = {
      {
        push("A", "B", "9999-01-01T00:00:00Z"),
        "rows[0].event_timestamp 9999-01-01T00:00:00Z lies more than PT5M past the server's clock"
      },
      {
        push("A", "B", "+300000-01-01T00:00:00Z"),
        "rows[0].event_timestamp +300000-01-01T00:00:00Z is out of range"
      },
      {push("A", "B", NOW.plus(Duration.ofHours(1)).toString()), "past the server's clock"},
      {push("A", "B", "yesterday"), "rows[0].event_timestamp must be an ISO-8601 instant"},
      {
        push("A", "B", NOW.toString()).replace(", \"route_distance\": 1", ""),
        "rows[0].values has no 'route_distance'"
      },
      {
        push("A", "B", NOW.toString())
            .replace("\"route_distance\": 1", "\"route_distance\": 1, \"colour\": 2"),
        "rows[0].values.colour is not part of the feature view"
      },
      {
        push("A", "B", NOW.toString())
            .replace("\"destination\": \"B\"", "\"destination\": \"B\", \"gate\": \"C7\""),
        "rows[0].entity.gate is not part of the feature view"
      },
      {push("A", "B", NOW.toString()).replace("0.5", "1e400"), "must be a number"},
    };
    for (String[] c : cases) {
      Reply r = RawHttp.send(port, "POST", "/v1/features/push", c[0], key);
      assertThat(r.status()).as(c[0] + " -> " + r).isEqualTo(400);
      assertThat(r.json().get("detail").asText()).contains(c[1]);
    }
    // a request with one bad row writes none of its rows
    String good = push("GO", "OD", NOW.toString());
    String twoRows =
        good.replace(
            "]}", ", " + push("A", "B", "9999-01-01T00:00:00Z").substring(good.indexOf("[") + 1));
    Reply r = RawHttp.send(port, "POST", "/v1/features/push", twoRows, key);
    assertThat(r.status()).as(r.toString()).isEqualTo(400);
    assertThat(r.json().get("detail").asText()).startsWith("rows[1].event_timestamp");
    try (RegistryStore reg = JdbcRegistryStore.open(REGISTRY);
        RedisOnlineStore store = RedisOnlineStore.connect(REDIS.url())) {
      assertThat(
              store
                  .read(
                      reg.featureView("route_stats").orElseThrow(),
                      1,
                      List.of(List.of("GO", "OD")),
                      NOW)
                  .get(0)
                  .status())
          .isEqualTo(Status.NOT_FOUND);
    }
    // within the skew is fine; audited per key id and view
    Reply ok =
        RawHttp.send(
            port,
            "POST",
            "/v1/features/push",
            push("SK", "EW", NOW.plusSeconds(60).toString()),
            key);
    assertThat(ok.status()).as(ok.toString()).isEqualTo(200);
    String keyId = ApiKeys.sha256("writer-key").substring(0, 8);
    Reply metrics = RawHttp.send(port, "GET", "/actuator/prometheus", null);
    assertThat(metrics.body())
        .containsPattern(
            "strata_push_rows_total\\{key=\"" + keyId + "\",view=\"route_stats\"\\} [1-9]");
  }

  @Test
  void requestsAreBoundedInSizeAndCacheNothingUserSized() throws Exception {
    String key = "X-API-Key: reader-key";
    // a body over the limit is refused from its Content-Length, before it is even sent
    Reply big =
        RawHttp.exchange(
            port,
            ("POST /v1/features/online HTTP/1.1\r\nHost: x\r\nX-API-Key: reader-key\r\n"
                    + "Content-Type: application/json\r\nContent-Length: 20000000\r\nConnection: close\r\n\r\n{")
                .getBytes(StandardCharsets.US_ASCII));
    assertThat(big.status()).isEqualTo(413);
    assertThat(big.isProblem()).isTrue();
    // and a chunked one as soon as it passes the limit
    StringBuilder chunked =
        new StringBuilder(
            "POST /v1/features/online HTTP/1.1\r\nHost: x\r\nX-API-Key: reader-key\r\n"
                + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n");
    String piece = "{\"features\": [\"" + "x".repeat(70_000) + "\"]}";
    chunked
        .append(Integer.toHexString(piece.length()))
        .append("\r\n")
        .append(piece)
        .append("\r\n0\r\n\r\n");
    Reply big2 = RawHttp.exchange(port, chunked.toString().getBytes(StandardCharsets.US_ASCII));
    assertThat(big2.status()).as(big2.toString()).isEqualTo(413);
    assertThat(big2.isProblem()).isTrue();

    // unique unknown names, long and short, fill no cache past its bound
    long before = resolver.cached();
    for (int i = 0; i < 40; i++) {
      String name = (i % 2 == 0 ? "y".repeat(30_000) : "unknown_service_") + i;
      Reply r =
          RawHttp.send(
              port,
              "POST",
              "/v1/features/online",
              "{\"feature_service\": \"" + name + "\", \"entities\": {\"origin\": [\"ATL\"]}}",
              key);
      assertThat(r.status()).isEqualTo(400);
      assertThat(r.body().length()).isLessThan(1000);
    }
    assertThat(resolver.cached() - before).isLessThanOrEqualTo(20);
    assertThat(FeatureResolver.CACHE_ENTRIES).isLessThanOrEqualTo(10_000);
  }

  @Test
  void errorsBeforeAnyControllerAreProblems() throws Exception {
    String key = "X-API-Key: reader-key";
    List<Reply> replies = new ArrayList<>();
    for (String path :
        List.of(
            "/v1/features%2Fonline",
            "/v1/features%5Conline",
            "/v1/features/online%00",
            "/v1/features/%zzonline",
            "/v1/features/online?" + "a".repeat(20_000))) {
      replies.add(RawHttp.send(port, "POST", path, READ, key));
    }
    replies.add(
        RawHttp.exchange(
            port, "G@T / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
    replies.add(
        RawHttp.exchange(
            port,
            "GET / HTTP/1.1\r\nHost: x\r\nBad Header Line\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII)));
    replies.add(
        RawHttp.exchange(
            port,
            ("POST /v1/features/online HTTP/1.1\r\nHost: x\r\nX-API-Key: reader-key\r\n"
                    + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nZZZ\r\n{}\r\n0\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII)));
    for (int i = 0; i < replies.size(); i++) {
      Reply r = replies.get(i);
      assertThat(r.status()).as(i + ": " + r).isBetween(400, 499);
      assertThat(r.isProblem()).as(r.toString()).isTrue();
      assertThat(r.body())
          .doesNotContain("Tomcat")
          .doesNotContain("<html")
          .doesNotContain("Exception");
    }
    Reply noType =
        RawHttp.exchange(
            port,
            ("POST /v1/features/online HTTP/1.1\r\nHost: x\r\nX-API-Key: reader-key\r\n"
                    + "Content-Length: "
                    + READ.length()
                    + "\r\nConnection: close\r\n\r\n"
                    + READ)
                .getBytes(StandardCharsets.US_ASCII));
    assertThat(noType.status()).isEqualTo(415);
    assertThat(noType.json().get("detail").asText())
        .contains("send Content-Type: application/json");
    Reply extra =
        RawHttp.send(
            port,
            "POST",
            "/v1/features/online",
            "{\"features\": [\"origin_delays:avg_delay_1h\"], \"entities\": {\"origin\": [\"ATL\"], \"gate\": [\"C7\"]}}",
            key);
    assertThat(extra.status()).isEqualTo(400);
    assertThat(extra.json().get("detail").asText()).contains("entities.gate is not a join key");
    Reply asOf =
        RawHttp.send(
            port,
            "POST",
            "/v1/features/online",
            READ.replace("{\"features\"", "{\"as_of\": \"+294248-01-01T00:00:00Z\", \"features\""),
            key);
    assertThat(asOf.status()).isEqualTo(400);
    assertThat(asOf.json().get("detail").asText())
        .contains("as_of +294248-01-01T00:00:00Z is out of range");
  }

  @Test
  void aStalledRedisAnswers503WithinTheDeadlineAndRecovers() throws Exception {
    String key = "X-API-Key: reader-key";
    assertThat(RawHttp.send(port, "POST", "/v1/features/online", READ, key).status())
        .isEqualTo(200);
    ConcurrentLinkedQueue<long[]> calls = new ConcurrentLinkedQueue<>(); // status, millis
    AtomicBoolean running = new AtomicBoolean(true);
    ExecutorService load = Executors.newFixedThreadPool(8);
    for (int t = 0; t < 8; t++) {
      load.execute(
          () -> {
            while (running.get()) {
              long start = System.nanoTime();
              try {
                Reply r = RawHttp.send(port, "POST", "/v1/features/online", READ, key);
                calls.add(new long[] {r.status(), (System.nanoTime() - start) / 1_000_000, start});
                Thread.sleep(20); // about 8 x 40 = 300 requests a second at most
              } catch (Exception e) {
                calls.add(new long[] {-1, (System.nanoTime() - start) / 1_000_000});
              }
            }
          });
    }
    Thread.sleep(300);
    REDIS.pause();
    long stalled = System.nanoTime();
    Reply health;
    try {
      Thread.sleep(1_000);
      long h0 = System.nanoTime();
      health = RawHttp.send(port, "GET", "/actuator/health", null);
      assertThat((System.nanoTime() - h0) / 1_000_000).isLessThan(DEADLINE_MS + 1_000);
      Thread.sleep(1_500);
    } finally {
      REDIS.resume();
    }
    long resumed = System.nanoTime();
    // service returns within a second
    int status = 0;
    while ((System.nanoTime() - resumed) < 1_000_000_000L
        && (status = RawHttp.send(port, "POST", "/v1/features/online", READ, key).status())
            != 200) {
      Thread.sleep(20);
    }
    long recovered = (System.nanoTime() - resumed) / 1_000_000;
    if (System.getenv("DEBUG_STALL") != null) {
      calls.forEach(
          c ->
              System.out.println(
                  "CALL "
                      + c[0]
                      + " "
                      + c[1]
                      + " at "
                      + (c.length > 2 ? (c[2] - resumed) / 1_000_000 : 0)));
    }
    running.set(false);
    load.shutdown();
    assertThat(load.awaitTermination(20, TimeUnit.SECONDS)).isTrue();
    assertThat(health.status()).isEqualTo(503);
    assertThat(health.json().get("status").asText()).isEqualTo("DOWN");
    assertThat(status).as("recovered after " + recovered + " ms").isEqualTo(200);
    long unavailable = calls.stream().filter(c -> c[0] == 503).count();
    long slowest = calls.stream().mapToLong(c -> c[1]).max().orElseThrow();
    assertThat(calls.stream().filter(c -> c[0] != 200 && c[0] != 503)).isEmpty();
    assertThat(unavailable)
        .as("503s while Redis was stopped for %d ms", (resumed - stalled) / 1_000_000)
        .isGreaterThan(20);
    // every call answered within the deadline plus a margin for this shared 2-core machine
    assertThat(slowest).as("slowest of %d calls", calls.size()).isLessThan(DEADLINE_MS + 800);
  }

  @Test
  void slowClientsHoldConnectionsNotThreads() throws Exception {
    String head =
        "POST /v1/features/online HTTP/1.1\r\nHost: x\r\nX-API-Key: reader-key\r\n"
            + "Content-Type: application/json\r\nContent-Length: "
            + READ.length()
            + "\r\nConnection: close\r\n\r\n";
    List<java.net.Socket> slow = new ArrayList<>();
    try {
      // more clients than the server has request threads (200), each stuck part-way through its
      // body
      for (int i = 0; i < 250; i++) {
        java.net.Socket s = new java.net.Socket("127.0.0.1", port);
        s.setSoTimeout(10_000);
        s.getOutputStream()
            .write((head + READ.substring(0, 10)).getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        slow.add(s);
      }
      Thread.sleep(300);
      long worst = 0;
      for (int i = 0; i < 30; i++) {
        long t0 = System.nanoTime();
        Reply r = RawHttp.send(port, "POST", "/v1/features/online", READ, "X-API-Key: reader-key");
        worst = Math.max(worst, (System.nanoTime() - t0) / 1_000_000);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
      }
      assertThat(worst)
          .as("slowest normal request with 250 slow clients connected, ms")
          .isLessThan(1_000);
      // a slow body that does arrive is answered as if it had come at once
      java.net.Socket late = slow.get(0);
      late.getOutputStream().write(READ.substring(10).getBytes(StandardCharsets.US_ASCII));
      Reply answer = RawHttp.read(late.getInputStream());
      assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
      assertThat(answer.json().at("/rows/0/values/0").asDouble()).isEqualTo(1.5);
      // one that never does gets a 408 once the body timeout passes
      Reply timedOut = RawHttp.read(slow.get(1).getInputStream());
      assertThat(timedOut.status()).as(timedOut.toString()).isEqualTo(408);
      assertThat(timedOut.isProblem()).isTrue();
    } finally {
      for (java.net.Socket s : slow) {
        s.close();
      }
    }
  }

  @Test
  void keysTheBinderWouldChangeStopTheServerAtStartUp() {
    String[] base = {
      "--server.port=0", "--strata.registry-url=" + REGISTRY, "--strata.redis-url=" + REDIS.url()
    };
    assertThatThrownBy(() -> start(base, "--strata.api-keys.w_key+x=write"))
        .rootCause()
        .hasMessageContaining(
            "API key property 'strata.api-keys.w_***' cannot be matched as written")
        .hasMessageNotContaining("w_key+x");
    assertThatThrownBy(() -> start(base, "--strata.api-keys.good-key=owner"))
        .rootCause()
        .hasMessageContaining("has role 'owner'; the roles are read, write and admin");
    try (ConfigurableApplicationContext c = start(base, "--strata.api-keys[w_key+x]=write")) {
      int p = c.getEnvironment().getProperty("local.server.port", Integer.class);
      assertThat(c.getBean(ApiKeys.class).find("w_key+x"))
          .map(ApiKeys.Key::role)
          .contains(ApiKeys.Role.WRITE);
      assertThat(c.getBean(ApiKeys.class).find("wkeyx")).isEmpty();
      assertThat(p).isPositive();
    }
  }

  private static ConfigurableApplicationContext start(String[] base, String extra) {
    List<String> args = new ArrayList<>(List.of(base));
    args.add(extra);
    return new SpringApplicationBuilder(StrataServer.class).run(args.toArray(String[]::new));
  }
}
