package dev.strata.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.online.RedisLauncher;
import dev.strata.registry.jdbc.RegistryUrls;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The served-feature log of a running server: every answered vector lands in a closed file, line
 * for line equal to the answer; files roll by size and by age; the client's request id is kept; a
 * file left open by a dead server is cut after its last whole line and closed at start.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class FeatureLogTest {
  static final RedisLauncher REDIS = RedisLauncher.single();
  static final Path DIR;
  static final String REGISTRY;
  static final ObjectMapper JSON = new ObjectMapper();

  static {
    try {
      DIR = Files.createTempDirectory("strata-feature-log-test");
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
    REGISTRY = RegistryUrls.embedded(DIR.resolve("registry"));
    FeatureServerTest.seed(REGISTRY, REDIS.url());
  }

  @DynamicPropertySource
  static void settings(DynamicPropertyRegistry p) {
    p.add("strata.registry-url", () -> REGISTRY);
    p.add("strata.redis-url", REDIS::url);
    p.add("strata.feature-log.dir", () -> DIR.resolve("log").toString());
    p.add("strata.feature-log.max-file-size", () -> "4KB");
    p.add("strata.feature-log.max-file-age", () -> "300ms");
  }

  @AfterAll
  static void stop() {
    REDIS.close();
  }

  @LocalServerPort int port;
  @Autowired FeatureLog log;
  final HttpClient http = HttpClient.newHttpClient();

  HttpResponse<String> post(String path, String body, String... headers) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void everyAnswerIsLoggedAsServedInClosedFiles() throws Exception {
    Map<String, JsonNode> answers = new HashMap<>();
    String asOf = FeatureServerTest.NOW.toString();
    for (int i = 0; i < 40; i++) {
      String origin = List.of("ATL", "OLD", "NOPE").get(i % 3);
      String body =
          "{\"feature_service\": \"delay_model\", \"as_of\": \""
              + asOf
              + "\", \"entities\": {\"origin\": [\""
              + origin
              + "\", \"ATL\"], \"destination\": [\"LAX\", \"LAX\"]}}";
      HttpResponse<String> r =
          i % 2 == 0
              ? post("/v1/features/online", body, "X-Request-Id", "client-" + i)
              : post("/v1/features/online", body);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      String id = r.headers().firstValue("X-Request-Id").orElseThrow();
      if (i % 2 == 0) {
        assertThat(id).isEqualTo("client-" + i);
      }
      answers.put(id, JSON.readTree(r.body()));
    }
    // a rejected request is not logged
    assertThat(post("/v1/features/online", "{\"feature_service\": \"nope\"}").statusCode())
        .isEqualTo(400);

    Path dir = DIR.resolve("log");
    List<JsonNode> lines = awaitLines(dir, answers.size());
    List<Path> closed = files(dir, FeatureLog.CLOSED);
    assertThat(closed).as("rolled by size (4 KB)").hasSizeGreaterThan(2);
    for (Path f : closed) {
      assertThat(Files.size(f)).isLessThan(4096 + 2048); // one line past the limit at most
    }
    assertThat(lines).hasSize(answers.size());
    for (JsonNode line : lines) {
      String id = line.get("request_id").asText();
      JsonNode answer = answers.get(id);
      assertThat(answer).as("request " + id + " was answered").isNotNull();
      assertThat(line.get("feature_service").asText()).isEqualTo("delay_model");
      assertThat(line.get("as_of_micros").asLong())
          .isEqualTo(FeatureServerTest.micros(FeatureServerTest.NOW));
      assertThat(line.get("request_micros").asLong())
          .isGreaterThan(line.get("as_of_micros").asLong());
      // the answer, rebuilt from the line, view by view and row by row
      JsonNode rows = answer.get("rows");
      for (int r = 0; r < rows.size(); r++) {
        assertThat(line.at("/entities/origin/" + r)).isEqualTo(rows.get(r).at("/entity/origin"));
        List<JsonNode> values = new ArrayList<>();
        List<String> statuses = new ArrayList<>();
        List<JsonNode> times = new ArrayList<>();
        for (JsonNode view : line.get("views")) {
          JsonNode row = view.get("rows").get(r);
          for (int f = 0; f < view.get("features").size(); f++) {
            values.add(row.get("values").get(f));
            statuses.add(row.get("status").asText());
            times.add(
                row.get("event_micros").isNull()
                    ? JSON.nullNode()
                    : JSON.getNodeFactory()
                        .textNode(OnlineController.instant(row.get("event_micros").asLong())));
          }
        }
        List<JsonNode> servedValues = new ArrayList<>();
        rows.get(r).get("values").forEach(servedValues::add);
        List<String> servedStatuses = new ArrayList<>();
        rows.get(r).get("statuses").forEach(s -> servedStatuses.add(s.asText()));
        List<JsonNode> servedTimes = new ArrayList<>();
        rows.get(r).get("event_timestamps").forEach(servedTimes::add);
        assertThat(values).isEqualTo(servedValues);
        assertThat(statuses).isEqualTo(servedStatuses);
        assertThat(times).isEqualTo(servedTimes);
      }
    }
    assertThat(log.logged()).isEqualTo(answers.size());
    assertThat(log.dropped()).isZero();

    // a quiet server still closes its file once it is old enough: nothing stays unreadable
    post(
        "/get-online-features",
        "{\"features\": [\"origin_delays:avg_delay_1h\"], \"entities\": {\"origin\": [\"ATL\"]}}");
    assertThat(awaitLines(dir, answers.size() + 1)).hasSize(answers.size() + 1);
  }

  @Test
  void aFileLeftOpenByADeadServerIsCutAfterItsLastLineAndClosed() throws Exception {
    Path dir = Files.createTempDirectory("strata-orphans");
    Path orphan = dir.resolve("served-20010101T000000Z-dead-000001" + FeatureLog.OPEN);
    Files.writeString(orphan, "{\"request_id\":\"a\"}\n{\"request_id\":\"b\"}\n{\"request_i");
    FileLogSink.recoverOrphans(dir);
    Path closed = dir.resolve("served-20010101T000000Z-dead-000001" + FeatureLog.CLOSED);
    assertThat(Files.exists(orphan)).isFalse();
    assertThat(Files.readString(closed))
        .isEqualTo("{\"request_id\":\"a\"}\n{\"request_id\":\"b\"}\n");

    // a file this JVM (a running server) holds is left alone
    Path busy = dir.resolve("served-20010101T000000Z-live-000001" + FeatureLog.OPEN);
    try (java.nio.channels.FileChannel c =
            java.nio.channels.FileChannel.open(
                busy,
                java.nio.file.StandardOpenOption.CREATE_NEW,
                java.nio.file.StandardOpenOption.WRITE);
        java.nio.channels.FileLock held = c.lock()) {
      c.write(java.nio.ByteBuffer.wrap("{\"x\":1".getBytes(StandardCharsets.UTF_8)));
      FileLogSink.recoverOrphans(dir);
      assertThat(Files.exists(busy)).isTrue();
    }
  }

  @Test
  void theSampleRateIsTheShareOfRequestsLogged() {
    try (FeatureLog half =
        new FeatureLog(
            new FeatureLog.Settings(
                DIR.resolve("sampled"), 0.25, 1 << 20, Duration.ofMinutes(1), 10))) {
      int sampled = 0;
      for (int i = 0; i < 40_000; i++) {
        sampled += half.sampled() ? 1 : 0;
      }
      // binomial(40,000, 0.25): standard deviation about 87
      assertThat(sampled).isBetween(10_000 - 600, 10_000 + 600);
    }
    try (FeatureLog off = new FeatureLog(FeatureLog.Settings.OFF)) {
      assertThat(off.sampled()).isFalse();
    }
  }

  /** Waits (10 s at most) until the closed files hold {@code n} lines, and returns them. */
  private static List<JsonNode> awaitLines(Path dir, int n) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    List<JsonNode> lines = List.of();
    while (System.nanoTime() < deadline) {
      lines = new ArrayList<>();
      for (Path f : files(dir, FeatureLog.CLOSED)) {
        for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
          lines.add(JSON.readTree(line));
        }
      }
      if (lines.size() >= n) {
        return lines;
      }
      Thread.sleep(100);
    }
    return lines;
  }

  private static List<Path> files(Path dir, String suffix) throws Exception {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().endsWith(suffix)).sorted().toList();
    }
  }
}
