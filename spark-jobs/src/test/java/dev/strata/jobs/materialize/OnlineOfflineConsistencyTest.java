package dev.strata.jobs.materialize;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.dsl.Feature;
import dev.strata.dsl.FeatureView;
import dev.strata.dsl.JoinKey;
import dev.strata.dsl.ObjectKind;
import dev.strata.examples.flights.FlightsRepository;
import dev.strata.jobs.cli.FeatureServerProcess;
import dev.strata.materialization.Materializer;
import dev.strata.offline.OfflineStore;
import dev.strata.offline.PointInTime;
import dev.strata.offline.StrataSpark;
import dev.strata.offline.TableFormat;
import dev.strata.offline.Tables;
import dev.strata.offline.Warehouse;
import dev.strata.online.RedisLauncher;
import dev.strata.registry.ApplyOptions;
import dev.strata.registry.RegistryStore;
import dev.strata.registry.jdbc.JdbcRegistryStore;
import dev.strata.registry.jdbc.RegistryUrls;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Online/offline consistency through the REST server: after a materialization into a real Redis,
 * and again after an incremental one, the feature server (its jar, as a child process) serves for
 * sampled keys exactly the latest offline values as of each run's end. The reference is a plain
 * loop over the collected offline tables; no Spark or Redis code of the product computes it.
 */
class OnlineOfflineConsistencyTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final LocalDate FIRST = LocalDate.parse("2001-01-01");
  static final LocalDate LAST = LocalDate.parse("2001-01-04");
  static final Instant START = Instant.parse("2001-01-01T00:00:00Z");

  /** Mid-day ends, so each table holds rows after the end that must not be served. */
  static final Instant FIRST_END = Instant.parse("2001-01-02T12:30:00Z");

  static final Instant SECOND_END = Instant.parse("2001-01-03T17:00:00Z");

  @TempDir Path dir;

  /** A view's offline rows as plain Java: key -> (feature time, values), every row. */
  record Offline(FeatureView view, Map<List<String>, List<Object[]>> rows) {}

  @Test
  void servedValuesEqualTheLatestOfflineValuesAsOfEachMaterializationEnd() throws Exception {
    Path warehouse = dir.resolve("warehouse");
    SparkSession spark =
        StrataSpark.configure(SparkSession.builder(), warehouse)
            .master("local[2]")
            .config("spark.ui.enabled", "false")
            .config("spark.driver.host", "127.0.0.1")
            .getOrCreate();
    String slice = dir.resolve("flights.parquet").toString();
    spark
        .read()
        .parquet(FlightsRepository.path())
        .filter(
            col("date")
                .lt(
                    lit(
                        Timestamp.from(
                            LAST.plusDays(1).atStartOfDay(java.time.ZoneOffset.UTC).toInstant()))))
        .write()
        .parquet(slice);
    String registryUrl = RegistryUrls.embedded(dir.resolve("registry"));

    try (RedisLauncher redis = RedisLauncher.single();
        RegistryStore registry = JdbcRegistryStore.open(registryUrl)) {
      registry.apply(FlightsRepository.definitions(slice), ApplyOptions.defaults());
      OfflineStore offline = new OfflineStore(spark, registry, Warehouse.local(warehouse));
      List<Offline> views = new ArrayList<>();
      for (String name : List.of("origin_delays", "route_stats")) {
        OfflineStore.BackfillResult b = offline.backfill(name, FIRST, LAST, TableFormat.DELTA);
        FeatureView view =
            (FeatureView) registry.get(ObjectKind.FEATURE_VIEW, name).orElseThrow().definition();
        views.add(
            collect(
                view, Tables.read(spark, b.table(), Optional.of(b.snapshot())).collectAsList()));
      }

      Materializer materializer = new Materializer(spark, registry, redis.url());
      for (Offline v : views) {
        materializer.materialize(v.view().name(), START, FIRST_END);
      }
      try (FeatureServerProcess server =
          FeatureServerProcess.start(redis.url(), registryUrl, dir.resolve("server.log"))) {
        List<List<String>> routes = sampleRoutes(views.get(1), 150);
        Map<List<String>, List<Object>> first =
            assertServedEqualsOffline(server, views, routes, FIRST_END);

        for (Offline v : views) {
          Materializer.Result r = materializer.materializeIncremental(v.view().name(), SECOND_END);
          assertThat(r.start()).isEqualTo(FIRST_END);
        }
        Map<List<String>, List<Object>> second =
            assertServedEqualsOffline(server, views, routes, SECOND_END);
        long changed = routes.stream().filter(k -> !first.get(k).equals(second.get(k))).count();
        assertThat(changed)
            .as("routes whose served values moved with the second run")
            .isGreaterThan(routes.size() / 2);

        // without as_of the values are judged at the wall clock: 2001's values are long expired
        ObjectNode now = request(views, routes.subList(0, 10), null);
        JsonNode rows = answer(server, "/v1/features/online", now).get("rows");
        for (JsonNode row : rows) {
          for (JsonNode s : row.get("statuses")) {
            assertThat(s.asText()).isIn("EXPIRED", "NOT_FOUND");
          }
          for (JsonNode value : row.get("values")) {
            assertThat(value.isNull()).isTrue();
          }
        }
      }
    }
  }

  /**
   * Asks the server for every feature of both views for {@code routes} (and two unknown ones) as of
   * {@code end}, through both request shapes, and compares each value, status and event time with
   * the reference. Returns the served values per route.
   */
  private Map<List<String>, List<Object>> assertServedEqualsOffline(
      FeatureServerProcess server, List<Offline> views, List<List<String>> routes, Instant end)
      throws Exception {
    List<List<String>> keys = new ArrayList<>(routes);
    keys.add(List.of("ZZZ", "LAX"));
    keys.add(List.of("ATL", "ZZZ"));
    ObjectNode body = request(views, keys, end);
    JsonNode answer = answer(server, "/v1/features/online", body);
    JsonNode feast = answer(server, "/get-online-features", body);

    Map<List<String>, List<Object>> served = new HashMap<>();
    int present = 0;
    int notFound = 0;
    for (int r = 0; r < keys.size(); r++) {
      List<String> route = keys.get(r);
      JsonNode row = answer.get("rows").get(r);
      assertThat(row.get("entity").get("origin").asText()).isEqualTo(route.get(0));
      assertThat(row.get("entity").get("destination").asText()).isEqualTo(route.get(1));
      List<Object> values = new ArrayList<>();
      int column = 0;
      for (Offline v : views) {
        List<String> key = v.view().joinKeys().size() == 1 ? List.of(route.get(0)) : route;
        Object[] expected = latest(v, key, end);
        for (int f = 0; f < v.view().features().size(); f++, column++) {
          String where =
              v.view().name()
                  + ":"
                  + v.view().features().get(f).name()
                  + " of "
                  + key
                  + " as of "
                  + end;
          JsonNode value = row.get("values").get(column);
          JsonNode feastValue = feast.get("results").get(2 + column).get("values").get(r);
          assertThat(feastValue).as("Feast shape, " + where).isEqualTo(value);
          values.add(value.isNull() ? null : value.asText());
          if (expected == null) {
            assertThat(row.get("statuses").get(column).asText()).as(where).isEqualTo("NOT_FOUND");
            assertThat(value.isNull()).as(where).isTrue();
            notFound++;
            continue;
          }
          present++;
          assertThat(row.get("statuses").get(column).asText()).as(where).isEqualTo("PRESENT");
          assertThat(row.get("event_timestamps").get(column).asText())
              .as(where)
              .isEqualTo(((Instant) expected[0]).toString());
          Object want = expected[1 + f];
          if (want == null) {
            assertThat(value.isNull()).as(where).isTrue();
          } else if (want instanceof Double d) {
            assertThat(value.isNumber()).as(where).isTrue();
            assertThat(value.asDouble()).as(where).isEqualTo(d);
          } else {
            assertThat(value.asLong()).as(where).isEqualTo(((Number) want).longValue());
          }
        }
      }
      served.put(route, values);
    }
    assertThat(present).as("present values as of " + end).isGreaterThan(1000);
    assertThat(notFound)
        .as("unknown keys are not found")
        .isGreaterThanOrEqualTo(
            views.get(0).view().features().size() + 2 * views.get(1).view().features().size());
    return served;
  }

  /**
   * The reference: the row of {@code key} with the latest feature time in [START, end], or null.
   */
  private static Object[] latest(Offline v, List<String> key, Instant end) {
    Object[] best = null;
    for (Object[] row : v.rows().getOrDefault(key, List.of())) {
      Instant t = (Instant) row[0];
      if (!t.isBefore(START) && !t.isAfter(end) && (best == null || t.isAfter((Instant) best[0]))) {
        best = row;
      }
    }
    if (best != null
        && !v.view().ttl().isZero()
        && ((Instant) best[0]).plus(v.view().ttl()).isBefore(end)) {
      return null; // expired at the end of the run: never written
    }
    return best;
  }

  private static Offline collect(FeatureView view, List<Row> rows) {
    String time =
        view.hasAggregations() ? PointInTime.FEATURE_TIMESTAMP : OfflineStore.EVENT_TIMESTAMP;
    Map<List<String>, List<Object[]>> byKey = new LinkedHashMap<>();
    for (Row row : rows) {
      List<String> key = new ArrayList<>();
      for (JoinKey k : view.joinKeys()) {
        key.add(row.getAs(k.name()));
      }
      Object[] values = new Object[1 + view.features().size()];
      Object t = row.getAs(time);
      values[0] = t instanceof Timestamp ts ? ts.toInstant() : (Instant) t;
      int i = 1;
      for (Feature f : view.features()) {
        values[i++] = row.getAs(f.name());
      }
      byKey.computeIfAbsent(key, k -> new ArrayList<>()).add(values);
    }
    return new Offline(view, byKey);
  }

  private static List<List<String>> sampleRoutes(Offline routes, int n) {
    List<List<String>> all = new ArrayList<>(routes.rows().keySet());
    Collections.sort(all, (a, b) -> String.join("/", a).compareTo(String.join("/", b)));
    Collections.shuffle(all, new Random(42));
    return all.subList(0, n);
  }

  private static ObjectNode request(List<Offline> views, List<List<String>> routes, Instant asOf) {
    ObjectNode body = JSON.createObjectNode();
    ArrayNode features = body.putArray("features");
    for (Offline v : views) {
      v.view().features().forEach(f -> features.add(v.view().name() + ":" + f.name()));
    }
    ArrayNode origins = body.putObject("entities").putArray("origin");
    ArrayNode destinations = ((ObjectNode) body.get("entities")).putArray("destination");
    for (List<String> r : routes) {
      origins.add(r.get(0));
      destinations.add(r.get(1));
    }
    if (asOf != null) {
      body.put("as_of", asOf.toString());
    }
    return body;
  }

  private static JsonNode answer(FeatureServerProcess server, String path, ObjectNode body)
      throws Exception {
    HttpResponse<String> r = server.post(path, JSON.writeValueAsString(body));
    assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
    return JSON.readTree(r.body());
  }
}
