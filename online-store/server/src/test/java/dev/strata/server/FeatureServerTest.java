package dev.strata.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.dsl.FeatureView;
import dev.strata.examples.flights.FlightsRepository;
import dev.strata.online.RedisLauncher;
import dev.strata.online.RedisOnlineStore;
import dev.strata.online.RedisOnlineStore.OnlineRow;
import dev.strata.registry.ApplyOptions;
import dev.strata.registry.DriftReport;
import dev.strata.registry.RegistryStore;
import dev.strata.registry.jdbc.JdbcRegistryStore;
import dev.strata.registry.jdbc.RegistryUrls;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The feature server against a real Redis and an embedded registry holding the flights repository:
 * answers, Feast's shape, problem+json for bad input, API keys, health, metrics, OpenAPI, and 503
 * while Redis is away with recovery when it returns.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability
class FeatureServerTest {
  static final RedisLauncher REDIS = RedisLauncher.single();
  static final Path DIR;
  static final String REGISTRY;
  static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.SECONDS);
  static final ObjectMapper JSON = new ObjectMapper();

  static {
    try {
      DIR = Files.createTempDirectory("strata-server-test");
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
    REGISTRY = RegistryUrls.embedded(DIR.resolve("registry"));
    seed(REGISTRY, REDIS.url());
  }

  /**
   * The flights repository in the registry; online values as of {@link #NOW}: ATL's origin delays a
   * minute old, OLD's eight days old (expired), ATL-LAX's route stats an hour old.
   */
  static void seed(String registryUrl, String redisUrl) {
    try (RegistryStore r = JdbcRegistryStore.open(registryUrl);
        RedisOnlineStore store = RedisOnlineStore.connect(redisUrl)) {
      r.apply(FlightsRepository.definitions("data/flights.parquet"), ApplyOptions.defaults());
      FeatureView origin = r.featureView("origin_delays").orElseThrow();
      // avg 1h/1d/7d, flights 1h/1d/7d, late share, max delay, stddev
      store.write(
          origin,
          1,
          List.of(
              new OnlineRow(
                  List.of("ATL"),
                  micros(NOW.minusSeconds(60)),
                  new Object[] {1.5, 2.5, 3.5, 10L, 200L, 1400L, 0.25, 90L, 12.0}),
              new OnlineRow(
                  List.of("OLD"),
                  micros(NOW.minus(Duration.ofDays(8))),
                  new Object[] {1.0, 1.0, 1.0, 1L, 1L, 1L, 0.0, 1L, null})));
      FeatureView route = r.featureView("route_stats").orElseThrow();
      store.write(
          route,
          1,
          List.of(
              new OnlineRow(
                  List.of("ATL", "LAX"),
                  micros(NOW.minusSeconds(3600)),
                  new Object[] {7.0, 70L, 0.5, 1946L})));
    }
  }

  static long micros(Instant t) {
    return t.getEpochSecond() * 1_000_000L + t.getNano() / 1000;
  }

  @DynamicPropertySource
  static void settings(DynamicPropertyRegistry p) {
    p.add("strata.registry-url", () -> REGISTRY);
    p.add("strata.redis-url", REDIS::url);
    p.add("strata.max-rows", () -> "100");
    p.add("strata.api-keys.reader-key", () -> "read");
    p.add("strata.api-keys.writer-key", () -> "write");
    p.add("strata.api-keys.admin-key", () -> "admin");
  }

  @AfterAll
  static void stop() {
    REDIS.close();
  }

  @LocalServerPort int port;
  final HttpClient http = HttpClient.newHttpClient();

  record Answer(int status, String contentType, JsonNode body, String raw) {}

  Answer call(String method, String path, String body, String... headers) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(10))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (body != null && !List.of(headers).contains("Content-Type")) {
      b.header("Content-Type", "application/json");
    }
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    JsonNode json = null;
    try {
      json = JSON.readTree(r.body());
    } catch (Exception e) {
      // not JSON: Prometheus text
    }
    return new Answer(
        r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), json, r.body());
  }

  Answer post(String path, String body, String... headers) throws Exception {
    return call("POST", path, body, headers);
  }

  @Test
  void servesAFeatureServiceRowByRow() throws Exception {
    Answer a =
        post(
            "/v1/features/online",
            "{\"feature_service\": \"delay_model\", \"entities\": {\"origin\": [\"ATL\", \"OLD\", \"NOPE\"], \"destination\": [\"LAX\", \"LAX\", \"LAX\"]}}");
    assertThat(a.status()).as(a.raw()).isEqualTo(200);
    assertThat(a.body().get("features")).hasSize(12);
    assertThat(a.body().get("features").get(1).asText()).isEqualTo("origin_delays:avg_delay_1d");
    JsonNode atl = a.body().get("rows").get(0);
    assertThat(atl.get("entity").get("origin").asText()).isEqualTo("ATL");
    assertThat(atl.get("values").get(1).asDouble()).isEqualTo(2.5);
    assertThat(atl.get("values").get(4).asLong()).isEqualTo(200);
    assertThat(atl.get("values").get(8).asDouble()).isEqualTo(12.0);
    assertThat(atl.get("values").get(9).asDouble()).isEqualTo(7.0); // route_avg_delay_7d
    assertThat(atl.get("values").get(11).asLong()).isEqualTo(1946); // route_distance
    assertThat(atl.get("statuses").get(0).asText()).isEqualTo("PRESENT");
    assertThat(atl.get("event_timestamps").get(0).asText())
        .isEqualTo(NOW.minusSeconds(60).toString());
    JsonNode old = a.body().get("rows").get(1);
    assertThat(old.get("statuses").get(0).asText()).isEqualTo("EXPIRED");
    assertThat(old.get("values").get(0).isNull()).isTrue();
    assertThat(old.get("statuses").get(9).asText()).isEqualTo("NOT_FOUND");
    JsonNode nope = a.body().get("rows").get(2);
    assertThat(nope.get("statuses")).allSatisfy(s -> assertThat(s.asText()).isEqualTo("NOT_FOUND"));

    // replayed as of its own event time, the expired value is present
    String oldTime = old.get("event_timestamps").get(0).asText();
    Answer replay =
        post(
            "/v1/features/online",
            "{\"features\": [\"origin_delays:avg_delay_1h\"], \"as_of\": \""
                + oldTime
                + "\", \"entities\": {\"origin\": [\"OLD\"]}}");
    assertThat(replay.status()).as(replay.raw()).isEqualTo(200);
    assertThat(replay.body().get("rows").get(0).get("statuses").get(0).asText())
        .isEqualTo("PRESENT");
  }

  @org.springframework.beans.factory.annotation.Autowired DriftGauges driftGauges;

  @Test
  void theNewestDriftCheckOfEachViewIsAGaugePerServiceAndFeature() throws Exception {
    DriftReport.FeatureDrift delay =
        new DriftReport.FeatureDrift(
            "avg_delay_1h",
            100,
            90,
            1.5,
            0.25,
            0.125,
            true,
            List.of(1.0),
            List.of(50L, 50L),
            List.of(10L, 80L));
    DriftReport.FeatureDrift distance =
        new DriftReport.FeatureDrift(
            "route_distance",
            100,
            90,
            0.01,
            0.02,
            0.03,
            false,
            List.of(1.0),
            List.of(50L, 50L),
            List.of(45L, 45L));
    // route_late_share_30d is not in the service; the older check of origin_delays is replaced
    DriftReport.FeatureDrift flights =
        new DriftReport.FeatureDrift(
            "route_flights_7d", 100, 90, 9, 9, 9, true, List.of(), List.of(), List.of());
    try (RegistryStore r = JdbcRegistryStore.open(REGISTRY)) {
      r.recordDrift(
          new DriftReport(
              "old",
              NOW.minusSeconds(600),
              "origin_delays",
              1,
              "a",
              "b",
              DriftReport.Thresholds.DEFAULTS,
              List.of(distance("avg_delay_1h"))));
      r.recordDrift(
          new DriftReport(
              "new",
              NOW,
              "origin_delays",
              1,
              "a",
              "b",
              DriftReport.Thresholds.DEFAULTS,
              List.of(delay)));
      r.recordDrift(
          new DriftReport(
              "routes",
              NOW,
              "route_stats",
              1,
              "a",
              "b",
              DriftReport.Thresholds.DEFAULTS,
              List.of(distance, flights)));
    }
    driftGauges.refresh();
    String metrics = call("GET", "/actuator/prometheus", null).raw();
    assertThat(metrics)
        .contains(
            "strata_drift_psi{feature=\"avg_delay_1h\",feature_service=\"delay_model\",view=\"origin_delays\"} 1.5")
        .contains(
            "strata_drift_ks{feature=\"avg_delay_1h\",feature_service=\"delay_model\",view=\"origin_delays\"} 0.25")
        .contains(
            "strata_drift_js{feature=\"avg_delay_1h\",feature_service=\"delay_model\",view=\"origin_delays\"} 0.125")
        .contains(
            "strata_drift_drifted{feature=\"avg_delay_1h\",feature_service=\"delay_model\",view=\"origin_delays\"} 1.0")
        .contains(
            "strata_drift_psi{feature=\"route_distance\",feature_service=\"delay_model\",view=\"route_stats\"} 0.01")
        .contains(
            "strata_drift_drifted{feature=\"route_distance\",feature_service=\"delay_model\",view=\"route_stats\"} 0.0")
        .doesNotContain("feature=\"route_flights_7d\"");
  }

  private static DriftReport.FeatureDrift distance(String feature) {
    return new DriftReport.FeatureDrift(
        feature, 1, 1, 0.5, 0.5, 0.5, true, List.of(), List.of(), List.of());
  }

  @Test
  void aBareViewNameServesEveryFeatureOfTheView() throws Exception {
    // the same parser as the CLI's (FeatureRef): "origin_delays" means all of its features
    Answer all =
        post(
            "/v1/features/online",
            "{\"features\": [\"origin_delays\"], \"entities\": {\"origin\": [\"ATL\"]}}");
    assertThat(all.status()).as(all.raw()).isEqualTo(200);
    List<String> names = new ArrayList<>();
    all.body().get("features").forEach(n -> names.add(n.asText()));
    assertThat(names)
        .hasSizeGreaterThan(1)
        .allSatisfy(n -> assertThat(n).startsWith("origin_delays:"))
        .contains("origin_delays:avg_delay_1h", "origin_delays:avg_delay_1d");
    assertThat(all.body().at("/rows/0/values").size()).isEqualTo(names.size());
  }

  @Test
  void answersInFeastsShape() throws Exception {
    Answer a =
        post(
            "/get-online-features",
            "{\"features\": [\"origin_delays:avg_delay_1h\", \"origin_delays:flights_1d\"], \"entities\": {\"origin\": [\"ATL\", \"NOPE\"]}}");
    assertThat(a.status()).as(a.raw()).isEqualTo(200);
    assertThat(a.body().at("/metadata/feature_names").toString())
        .isEqualTo("[\"origin\",\"avg_delay_1h\",\"flights_1d\"]");
    assertThat(a.body().at("/results/0/values").toString()).isEqualTo("[\"ATL\",\"NOPE\"]");
    assertThat(a.body().at("/results/1/values").toString()).isEqualTo("[1.5,null]");
    assertThat(a.body().at("/results/1/statuses").toString())
        .isEqualTo("[\"PRESENT\",\"NOT_FOUND\"]");
    assertThat(a.body().at("/results/2/values").toString()).isEqualTo("[200,null]");
  }

  @Test
  void badRequestsGetProblemsNeverStackTraces() throws Exception {
    String ok = "\"entities\": {\"origin\": [\"ATL\"]}";
    List<String[]> cases = new ArrayList<>();
    // body, expected detail fragment
    cases.add(
        new String[] {
          "{\"feature_service\": \"nope\", " + ok + "}", "unknown feature service 'nope'"
        });
    cases.add(
        new String[] {
          "{\"features\": [\"origin_delays:nope\"], " + ok + "}",
          "unknown feature 'origin_delays:nope'"
        });
    cases.add(
        new String[] {"{\"features\": [\"nope:x\"], " + ok + "}", "unknown feature view 'nope'"});
    // a bare name is a whole view, as on the CLI (FeatureRef): here one that does not exist
    cases.add(
        new String[] {
          "{\"features\": [\"avg_delay_1h\"], " + ok + "}", "unknown feature view 'avg_delay_1h'"
        });
    cases.add(
        new String[] {"{\"features\": [\"Origin_Delays:x\"], " + ok + "}", "is not view:feature"});
    cases.add(
        new String[] {"{\"features\": [\"origin_delays:\"], " + ok + "}", "is not view:feature"});
    cases.add(new String[] {"{\"features\": [], " + ok + "}", "non-empty list"});
    cases.add(
        new String[] {
          "{\"features\": [\"origin_delays:avg_delay_1h\"], \"as_of\": \"yesterday\", " + ok + "}",
          "as_of must be an ISO-8601 instant"
        });
    cases.add(
        new String[] {
          "{\"features\": \"origin_delays:avg_delay_1h\", " + ok + "}", "non-empty list"
        });
    cases.add(new String[] {"{\"features\": [1], " + ok + "}", "non-empty list"});
    cases.add(
        new String[] {
          "{\"feature_service\": 3, " + ok + "}", "'feature_service' must be a string"
        });
    cases.add(
        new String[] {
          "{\"feature_service\": \"delay_model\", \"features\": [\"a:b\"], " + ok + "}", "not both"
        });
    cases.add(new String[] {"{" + ok + "}", "names no features"});
    cases.add(
        new String[] {"{\"feature_service\": \"delay_model\"}", "'entities' must be an object"});
    cases.add(
        new String[] {
          "{\"feature_service\": \"delay_model\", \"entities\": {}}", "'entities' must be an object"
        });
    cases.add(
        new String[] {
          "{\"feature_service\": \"delay_model\", \"entities\": []}", "'entities' must be an object"
        });
    cases.add(
        new String[] {
          "{\"feature_service\": \"delay_model\", \"entities\": {\"origin\": []}}", "no entity rows"
        });
    cases.add(
        new String[] {
          "{\"feature_service\": \"delay_model\", \"entities\": {\"origin\": \"ATL\"}}",
          "entities.origin must be a list"
        });
    cases.add(
        new String[] {
          "{\"feature_service\": \"delay_model\", " + ok + "}",
          "missing entity column 'destination' (STRING), the join key of feature view 'route_stats'"
        });
    cases.add(
        new String[] {
          "{\"features\": [\"origin_delays:avg_delay_1h\"], \"entities\": {\"airport\": [\"ATL\"]}}",
          "missing entity column 'origin'"
        });
    cases.add(
        new String[] {
          "{\"features\": [\"origin_delays:avg_delay_1h\"], \"entities\": {\"origin\": [12]}}",
          "entities.origin[0] must be a string (STRING), got 12"
        });
    cases.add(
        new String[] {
          "{\"features\": [\"origin_delays:avg_delay_1h\"], \"entities\": {\"origin\": [\"ATL\", null]}}",
          "entities.origin[1] must be a string"
        });
    cases.add(
        new String[] {
          "{\"features\": [\"origin_delays:avg_delay_1h\"], \"entities\": {\"origin\": [true]}}",
          "must be a string"
        });
    cases.add(
        new String[] {
          "{\"features\": [\"origin_delays:avg_delay_1h\"], \"entities\": {\"origin\": [{}]}}",
          "must be a string"
        });
    cases.add(
        new String[] {
          "{\"feature_service\": \"delay_model\", \"entities\": {\"origin\": [\"ATL\"], \"destination\": [\"LAX\", \"SFO\"]}}",
          "entity columns differ in length"
        });
    StringBuilder many = new StringBuilder();
    for (int i = 0; i < 101; i++) {
      many.append(i == 0 ? "" : ",").append("\"A").append(i).append('"');
    }
    cases.add(
        new String[] {
          "{\"features\": [\"origin_delays:avg_delay_1h\"], \"entities\": {\"origin\": ["
              + many
              + "]}}",
          "101 entity rows; at most 100"
        });
    for (String malformed :
        List.of(
            "",
            "{",
            "[1,2]",
            "nul",
            "{\"features\": [}",
            "\"text\"",
            "42",
            "{\"a\":1,,}",
            "{'single': 1}",
            "{\"features\": [\"origin_delays:avg_delay_1h\"], \"entities\": {\"origin\": [\"ATL\"]}}}",
            "\u0000",
            "{\"x\": \"\\q\"}")) {
      cases.add(new String[] {malformed, ""});
    }
    // the registry endpoints and the push endpoint
    int n = 0;
    for (String endpoint : List.of("/v1/features/online", "/get-online-features")) {
      for (String[] c : cases) {
        Answer a = post(endpoint, c[0]);
        assertThat(a.status()).as(endpoint + " " + c[0] + " -> " + a.raw()).isEqualTo(400);
        assertThat(a.contentType()).startsWith("application/problem+json");
        assertThat(a.body().get("status").asInt()).isEqualTo(400);
        assertThat(a.body().get("detail").asText()).contains(c[1]);
        assertThat(a.raw())
            .doesNotContain("Exception")
            .doesNotContain("\tat ")
            .doesNotContain("jackson");
        n++;
      }
    }
    Answer wrongType = post("/v1/features/online", "<xml/>", "Content-Type", "application/xml");
    assertThat(wrongType.status()).isEqualTo(415);
    Answer wrongMethod = call("GET", "/v1/features/online", null);
    assertThat(wrongMethod.status()).isEqualTo(405);
    Answer badKind = call("GET", "/v1/registry/tables", null);
    assertThat(badKind.status()).isEqualTo(400);
    assertThat(badKind.body().get("detail").asText()).contains("Unknown kind 'tables'");
    Answer badDirection = call("GET", "/v1/lineage?node=origin_delays&direction=sideways", null);
    assertThat(badDirection.status()).isEqualTo(400);
    Answer badVersion = call("GET", "/v1/registry/views/origin_delays?version=x", null);
    assertThat(badVersion.status()).isEqualTo(400);
    assertThat(badVersion.raw()).doesNotContain("Exception");
    assertThat(n).isGreaterThanOrEqualTo(50);
  }

  @Test
  void pushingValuesNeedsAWriteKey() throws Exception {
    String body =
        "{\"feature_view\": \"route_stats\", \"rows\": [{\"entity\": {\"origin\": \"SFO\", \"destination\": \"JFK\"},"
            + " \"event_timestamp\": \""
            + NOW
            + "\", \"values\": {\"route_avg_delay_7d\": 4.5, \"route_flights_7d\": null, \"route_late_share_30d\": null, \"route_distance\": 2586}}]}";
    Answer none = post("/v1/features/push", body);
    assertThat(none.status()).isEqualTo(401);
    assertThat(none.contentType()).startsWith("application/problem+json");
    assertThat(post("/v1/features/push", body, "X-API-Key", "wrong").status()).isEqualTo(401);
    Answer reader = post("/v1/features/push", body, "X-API-Key", "reader-key");
    assertThat(reader.status()).isEqualTo(403);
    assertThat(reader.body().get("detail").asText())
        .contains("needs role 'write'; the key has 'read'");
    Answer writer = post("/v1/features/push", body, "X-API-Key", "writer-key");
    assertThat(writer.status()).as(writer.raw()).isEqualTo(200);
    assertThat(writer.body().get("written").asInt()).isEqualTo(1);
    String older =
        body.replace(NOW.toString(), NOW.minusSeconds(10).toString()).replace("4.5", "9.9");
    assertThat(
            post("/v1/features/push", older, "X-API-Key", "writer-key")
                .body()
                .get("skipped_older")
                .asInt())
        .isEqualTo(1);
    Answer read =
        post(
            "/v1/features/online",
            "{\"features\": [\"route_stats:route_avg_delay_7d\", \"route_stats:route_flights_7d\", \"route_stats:route_distance\"],"
                + " \"entities\": {\"origin\": [\"SFO\"], \"destination\": [\"JFK\"]}}");
    assertThat(read.body().at("/rows/0/values").toString()).isEqualTo("[4.5,null,2586]");
    Answer badPush =
        post("/v1/features/push", body.replace("2586", "\"far\""), "X-API-Key", "writer-key");
    assertThat(badPush.status()).isEqualTo(400);
    assertThat(badPush.body().get("detail").asText())
        .isEqualTo("rows[0].values.route_distance must be an integer");
  }

  @Test
  void openReadsOpenNothingElse() throws Exception {
    // reads skip the security filters here (keyed reads are off); no spelling of a protected
    // path may ride on that
    String push =
        "{\"feature_view\": \"route_stats\", \"rows\": [{\"entity\": {\"origin\": \"OP\", \"destination\": \"EN\"},"
            + " \"event_timestamp\": \""
            + NOW
            + "\", \"values\": {\"route_avg_delay_7d\": 1, \"route_flights_7d\": 1,"
            + " \"route_late_share_30d\": 1, \"route_distance\": 1}}]}";
    for (String v : ServerHardeningTest.variants("/v1/features/push")) {
      RawHttp.Reply r = RawHttp.send(port, "POST", v, push);
      assertThat(r.status()).as("POST " + v + " -> " + r).isBetween(400, 499).isNotEqualTo(404);
    }
    for (String v : ServerHardeningTest.variants("/actuator/metrics")) {
      RawHttp.Reply r = RawHttp.send(port, "GET", v, null);
      assertThat(r.status()).as("GET " + v + " -> " + r).isBetween(400, 499);
      assertThat(r.body()).doesNotContain("jvm.memory");
    }
    Answer read =
        post(
            "/v1/features/online",
            "{\"features\": [\"route_stats:route_distance\"], \"entities\": {\"origin\": [\"OP\"], \"destination\": [\"EN\"]}}");
    assertThat(read.body().at("/rows/0/statuses/0").asText()).isEqualTo("NOT_FOUND");
    // and the firewall still stands in front of the open reads
    assertThat(RawHttp.send(port, "POST", "/v1/features/./online", "{}").status()).isEqualTo(400);
    assertThat(RawHttp.send(port, "POST", "/v1//features/online", "{}").status()).isEqualTo(400);
  }

  @Test
  void registryLineageHealthMetricsAndOpenApi() throws Exception {
    Answer views = call("GET", "/v1/registry/feature-views", null);
    assertThat(views.body())
        .extracting(v -> v.get("name").asText())
        .containsExactly("origin_delays", "route_stats");
    Answer view = call("GET", "/v1/registry/feature-views/origin_delays", null);
    assertThat(view.body().at("/definition/ttl").asText()).isEqualTo("PT168H");
    assertThat(call("GET", "/v1/registry/feature-views/nope", null).status()).isEqualTo(404);
    Answer lineage = call("GET", "/v1/lineage?node=delay_model", null);
    assertThat(lineage.body().get("root").asText()).isEqualTo("feature_service:delay_model@v1");
    assertThat(lineage.raw()).contains("table:parquet:data/flights.parquet");

    Answer health = call("GET", "/actuator/health", null, "X-API-Key", "admin-key");
    assertThat(health.body().get("status").asText()).isEqualTo("UP");
    assertThat(health.body().at("/components/onlineStore/status").asText()).isEqualTo("UP");
    post(
        "/v1/features/online",
        "{\"features\": [\"origin_delays:avg_delay_1h\"], \"entities\": {\"origin\": [\"ATL\"]}}");
    Answer metrics = call("GET", "/actuator/prometheus", null);
    assertThat(metrics.raw())
        .contains("http_server_requests_seconds_bucket{")
        .contains("uri=\"/v1/features/online\"");
    // series an alert can watch, present from start-up
    assertThat(metrics.raw())
        .containsPattern("(?m)^strata_redis_errors_total(\\{[^}]*\\})? ")
        .contains("strata_redis_pool_active")
        .contains("strata_redis_pool_idle")
        .contains("strata_redis_pool_waiting")
        .contains("strata_redis_read_seconds_bucket")
        .contains("tomcat_threads_busy_threads")
        .contains("strata_online_values_total{status=\"not_found\"}")
        .contains("strata_online_values_total{status=\"expired\"}");
    Answer api = call("GET", "/v3/api-docs", null);
    assertThat(api.status()).isEqualTo(200);
    assertThat(api.body().get("paths").has("/v1/features/online")).isTrue();
    assertThat(api.body().get("paths").has("/get-online-features")).isTrue();
  }

  @Test
  void answers503WhileRedisIsAwayAndRecovers() throws Exception {
    String body =
        "{\"features\": [\"origin_delays:avg_delay_1h\"], \"entities\": {\"origin\": [\"ATL\"]}}";
    assertThat(post("/v1/features/online", body).status()).isEqualTo(200);
    REDIS.kill();
    Answer down = post("/v1/features/online", body);
    assertThat(down.status()).as(down.raw()).isEqualTo(503);
    assertThat(down.contentType()).startsWith("application/problem+json");
    assertThat(down.raw()).doesNotContain("Exception");
    assertThat(call("GET", "/actuator/health", null).status()).isEqualTo(503);
    REDIS.restart();
    long deadline = System.currentTimeMillis() + 10_000;
    int status = 0;
    while (System.currentTimeMillis() < deadline
        && (status = post("/v1/features/online", body).status()) != 200) {
      Thread.sleep(100);
    }
    assertThat(status).isEqualTo(200);
    // the restarted Redis is empty: the value is now not found, not an error
    assertThat(post("/v1/features/online", body).body().at("/rows/0/statuses/0").asText())
        .isEqualTo("NOT_FOUND");
    // reseed for the other tests, whatever their order
    try (RedisOnlineStore store = RedisOnlineStore.connect(REDIS.url());
        RegistryStore r = JdbcRegistryStore.open(REGISTRY)) {
      store.write(
          r.featureView("origin_delays").orElseThrow(),
          1,
          List.of(
              new OnlineRow(
                  List.of("ATL"),
                  micros(NOW.minusSeconds(60)),
                  new Object[] {1.5, 2.5, 3.5, 10L, 200L, 1400L, 0.25, 90L, 12.0}),
              new OnlineRow(
                  List.of("OLD"),
                  micros(NOW.minus(Duration.ofDays(8))),
                  new Object[] {1.0, 1.0, 1.0, 1L, 1L, 1L, 0.0, 1L, null})));
      store.write(
          r.featureView("route_stats").orElseThrow(),
          1,
          List.of(
              new OnlineRow(
                  List.of("ATL", "LAX"),
                  micros(NOW.minusSeconds(3600)),
                  new Object[] {7.0, 70L, 0.5, 1946L})));
    }
  }
}
