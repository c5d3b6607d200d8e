package dev.strata.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.dsl.FeatureView;
import dev.strata.online.RedisLauncher;
import dev.strata.online.RedisOnlineStore;
import dev.strata.online.RedisOnlineStore.OnlineRow;
import dev.strata.registry.RegistryStore;
import dev.strata.registry.jdbc.JdbcRegistryStore;
import dev.strata.registry.jdbc.RegistryUrls;
import dev.strata.streaming.KafkaBroker;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Skew through the real parts: a backfill and a materialization into a real Redis, the server jar
 * serving {@code delay_model} with its served-feature log on, {@code strata logs load}, then {@code
 * strata skew}. Served values equal the offline tables: every feature matches 100%. Then three
 * routes' {@code route_stats} values are overwritten in Redis (same event time, other values):
 * {@code skew} over the second round of requests reports exactly those three keys, only in the
 * {@code route_stats} features, and exits with code 8. The server also sends its log to a Kafka
 * topic: {@code logs load --kafka} gives the same rows as the files, and loads only what is new.
 */
class SkewCliTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final Instant END = Instant.parse("2001-01-03T17:00:00Z");
  static final List<String> ORIGINS = List.of("ATL", "ORD", "DFW", "LAX", "DEN", "PHX", "SFO");
  static final List<String> DESTINATIONS = List.of("ATL", "ORD", "DFW", "LAX", "DEN", "LAS");

  @TempDir Path dir;

  private static StrataCliTest.Result strata(String registry, String verb, String... rest) {
    StrataCliTest.Result r = StrataCliTest.against(registry, verb, rest);
    assertThat(r.code()).as(verb + ": " + r.out() + r.err()).isIn(0, StrataCli.SKEW);
    return r;
  }

  /** {@code strata skew delay_model} over the requests served in {@code [from, to)}. */
  private static StrataCliTest.Result skew(
      String registry, Instant from, Instant to, String warehouse, String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "delay_model",
                "--start",
                from.toString(),
                "--end",
                to.toString(),
                "--warehouse",
                warehouse));
    args.addAll(List.of(more));
    return strata(registry, "skew", args.toArray(String[]::new));
  }

  /** FEATURE -> MATCH cell of the skew table. */
  private static Map<String, String> matches(String out) {
    Map<String, String> m = new LinkedHashMap<>();
    for (String line : out.split("\n")) {
      String[] cells = line.trim().split(" +");
      if (cells.length == 7 && cells[0].contains(":")) {
        m.put(cells[0], cells[2]);
      }
    }
    return m;
  }

  /** The keys the skew report lists, as "view {k=v, ...}". */
  private static Set<String> listed(String out) {
    Set<String> keys = new TreeSet<>();
    for (String line : out.split("\n")) {
      if (line.startsWith("  ") && line.contains("{")) {
        keys.add(line.trim());
      }
    }
    return keys;
  }

  @Test
  void servedValuesMatchTheOfflineTablesUntilRedisIsOverwritten() throws Exception {
    String registry = RegistryUrls.embedded(dir.resolve("registry"));
    String warehouse = dir.resolve("warehouse").toString();
    Path logDir = dir.resolve("served");
    String[] wh = {"--warehouse", warehouse};
    strata(registry, "apply", "-r", "flights");
    try (RedisLauncher redis = RedisLauncher.single();
        KafkaBroker kafka = KafkaBroker.start()) {
      kafka.createTopic("served", 2);
      for (String view : List.of("origin_delays", "route_stats")) {
        strata(
            registry,
            "backfill",
            view,
            "--start",
            "2001-01-01",
            "--end",
            "2001-01-04",
            wh[0],
            wh[1]);
        strata(
            registry,
            "materialize",
            view,
            "--start",
            "2001-01-01T00:00:00Z",
            "--end",
            END.toString(),
            "--redis",
            redis.url(),
            wh[0],
            wh[1]);
      }
      // the log goes to files and to a Kafka topic: loaded, both give the same table
      List<String> settings =
          List.of(
              "--strata.feature-log.dir=" + logDir,
              "--strata.feature-log.kafka.bootstrap=" + kafka.bootstrap(),
              "--strata.feature-log.kafka.topic=served");
      String[] fromKafka = {
        "--kafka",
        kafka.bootstrap(),
        "--topic",
        "served",
        "--log-table",
        dir.resolve("kafka-log").toString()
      };

      Instant first = Instant.now();
      List<JsonNode> answers = serve(redis.url(), registry, settings);
      long present = 0;
      for (JsonNode a : answers) {
        for (JsonNode row : a.get("rows")) {
          for (JsonNode s : row.get("statuses")) {
            present += s.asText().equals("PRESENT") ? 1 : 0;
          }
        }
      }
      assertThat(present).as("values present online").isGreaterThan(300);
      Instant second = Instant.now();

      StrataCliTest.Result load =
          strata(registry, "logs load", "--dir", logDir.toString(), wh[0], wh[1]);
      assertThat(load.out()).contains("Loaded 1 log files (" + answers.size() + " requests, ");
      StrataCliTest.Result topic = strata(registry, "logs load", concat(fromKafka, wh));
      assertThat(topic.out())
          .contains("Loaded topic 'served' partition ")
          .contains("(" + answers.size() + " requests, ");
      assertSameLog(
          dir.resolve("kafka-log"), Path.of(warehouse, "logs", "delta", "served_features"));
      assertThat(strata(registry, "logs load", concat(fromKafka, wh)).out())
          .contains("No new records in topic 'served'");
      StrataCliTest.Result clean = skew(registry, first, second, warehouse);
      assertThat(clean.code()).as(clean.out()).isZero();
      Map<String, String> all = matches(clean.out());
      assertThat(all).hasSize(12);
      assertThat(all.values()).allSatisfy(m -> assertThat(m).isEqualTo("100.00%"));
      assertThat(listed(clean.out())).isEmpty();

      // three routes' values replaced in Redis, at their own event time
      List<List<String>> touched =
          List.of(List.of("ATL", "ORD"), List.of("DFW", "LAX"), List.of("SFO", "LAS"));
      try (RegistryStore r = JdbcRegistryStore.open(registry);
          RedisOnlineStore store = RedisOnlineStore.connect(redis.url())) {
        FeatureView routes = r.featureView("route_stats").orElseThrow();
        List<OnlineRow> rows = new ArrayList<>();
        for (List<String> key : touched) {
          RedisOnlineStore.OnlineValue v = store.read(routes, 1, List.of(key), END).get(0);
          assertThat(v.status().name()).as("route " + key).isEqualTo("PRESENT");
          Object[] values = v.values().clone();
          values[0] = ((Double) values[0]) + 1000.0; // route_avg_delay_7d
          rows.add(new OnlineRow(key, v.eventMicros(), values));
        }
        store.write(routes, 1, rows);
      }
      Instant third = Instant.now();
      answers.addAll(serve(redis.url(), registry, settings));
      Instant fourth = Instant.now();
      StrataCliTest.Result again =
          strata(registry, "logs load", "--dir", logDir.toString(), wh[0], wh[1]);
      assertThat(again.out()).contains("Loaded 1 log files");
      assertThat(strata(registry, "logs load", "--dir", logDir.toString(), wh[0], wh[1]).out())
          .contains("No new closed log files");
      // the second round only: the load starts after the offsets the table holds
      assertThat(strata(registry, "logs load", concat(fromKafka, wh)).out())
          .contains("(" + (answers.size() / 2) + " requests, ");
      assertSameLog(
          dir.resolve("kafka-log"), Path.of(warehouse, "logs", "delta", "served_features"));

      StrataCliTest.Result skewed =
          skew(
              registry,
              third,
              fourth,
              warehouse,
              "--output",
              dir.resolve("mismatches").toString(),
              "--output-format",
              "delta");
      assertThat(skewed.code()).as(skewed.out()).isEqualTo(StrataCli.SKEW).isEqualTo(8);
      Map<String, String> after = matches(skewed.out());
      assertThat(after.get("route_stats:route_avg_delay_7d")).endsWith("*");
      after.forEach(
          (f, m) -> {
            if (!f.equals("route_stats:route_avg_delay_7d")) {
              assertThat(m).as(f).isEqualTo("100.00%");
            }
          });
      Set<String> expected = new TreeSet<>();
      for (List<String> key : touched) {
        expected.add("route_stats {destination=" + key.get(1) + ", origin=" + key.get(0) + "}");
      }
      assertThat(listed(skewed.out())).isEqualTo(expected);
      assertThat(skewed.out()).contains("keys with a value that did not match: 3");
      // one request row per route, one feature changed: three values
      assertThat(skewed.out()).contains("Wrote 3 values that did not match");

      // the first window still matches: skew judges only the requests in its window
      assertThat(skew(registry, first, second, warehouse).code()).isZero();

      // drift of what was served today against the offline table's days, with the HTML report
      long servedRoutes = 0;
      for (JsonNode a : answers) {
        for (JsonNode row : a.get("rows")) {
          servedRoutes += row.get("statuses").get(9).asText().equals("PRESENT") ? 1 : 0;
        }
      }
      String today = java.time.LocalDate.now(java.time.ZoneOffset.UTC).toString();
      Path html = dir.resolve("drift.html");
      StrataCliTest.Result drift =
          StrataCliTest.against(
              registry,
              "drift",
              "route_stats",
              "--served",
              "--start",
              first.atZone(java.time.ZoneOffset.UTC).toLocalDate().toString(),
              "--end",
              today,
              "--reference-start",
              "2001-01-01",
              "--reference-end",
              "2001-01-04",
              "--html",
              html.toString(),
              wh[0],
              wh[1]);
      assertThat(drift.code()).as(drift.out() + drift.err()).isIn(0, StrataCli.DRIFT);
      try (RegistryStore r = JdbcRegistryStore.open(registry)) {
        dev.strata.registry.DriftReport report = r.drift("route_stats").get(0);
        assertThat(report.current()).startsWith("served ");
        // the service serves three of the view's four features
        assertThat(report.features())
            .extracting(dev.strata.registry.DriftReport.FeatureDrift::feature)
            .containsExactly("route_avg_delay_7d", "route_late_share_30d", "route_distance");
        for (dev.strata.registry.DriftReport.FeatureDrift f : report.features()) {
          assertThat(f.currentValues()).as(f.feature()).isEqualTo(servedRoutes);
        }
        assertThat(r.latestDrift()).contains(report);
      }
      HeadlessChromium.Page page = HeadlessChromium.open(html);
      assertThat(page.console()).isEmpty();
      assertThat(page.dom()).contains("data-charts=\"3\"").contains("served values");
    }
  }

  private static String[] concat(String[] a, String[] b) {
    return Stream.concat(Stream.of(a), Stream.of(b)).toArray(String[]::new);
  }

  /** The log loaded from Kafka holds the rows loaded from the files, each once. */
  private static void assertSameLog(Path kafka, Path files) {
    SparkSession spark = SparkSession.active();
    // a map cannot be compared by a set operation: its entries, sorted, can
    org.apache.spark.sql.Column entity =
        org.apache.spark.sql.functions.array_sort(
            org.apache.spark.sql.functions.map_entries(
                org.apache.spark.sql.functions.col("entity")));
    Dataset<Row> k =
        spark.read().format("delta").load(kafka.toString()).withColumn("entity", entity);
    Dataset<Row> f =
        spark
            .read()
            .format("delta")
            .load(files.toString())
            .drop("log_file")
            .withColumn("entity", entity);
    assertThat(k.select("log_file").distinct().count())
        .as("one Kafka record per request")
        .isEqualTo(f.select("request_id").distinct().count());
    Dataset<Row> rows = k.drop("log_file");
    assertThat(rows.count()).isEqualTo(f.count()).isGreaterThan(0);
    assertThat(rows.exceptAll(f).count()).isZero();
    assertThat(f.exceptAll(rows).count()).isZero();
  }

  /**
   * Starts the server with its log, asks for every origin x destination pair (and an unknown
   * airport) as of {@link #END}, one request per origin, and stops it (the log file closes).
   */
  private List<JsonNode> serve(String redisUrl, String registry, List<String> settings)
      throws Exception {
    List<JsonNode> answers = new ArrayList<>();
    try (FeatureServerProcess server =
        FeatureServerProcess.start(
            redisUrl, registry, dir.resolve("server-" + System.nanoTime() + ".log"), settings)) {
      for (String origin : ORIGINS) {
        ObjectNode body = JSON.createObjectNode();
        body.put("feature_service", "delay_model");
        body.put("as_of", END.toString());
        ObjectNode entities = body.putObject("entities");
        ArrayNode o = entities.putArray("origin");
        ArrayNode d = entities.putArray("destination");
        for (String dest : DESTINATIONS) {
          if (!dest.equals(origin)) {
            o.add(origin);
            d.add(dest);
          }
        }
        o.add(origin);
        d.add("ZZZ");
        HttpResponse<String> r = server.post("/v1/features/online", JSON.writeValueAsString(body));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        answers.add(JSON.readTree(r.body()));
      }
    }
    try (Stream<Path> files = Files.list(dir.resolve("served"))) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .as("the server closed its log at shutdown")
          .allSatisfy(n -> assertThat(n).endsWith(".jsonl"));
    }
    return answers;
  }
}
