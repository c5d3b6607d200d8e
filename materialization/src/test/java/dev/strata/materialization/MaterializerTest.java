package dev.strata.materialization;

import static dev.strata.dsl.Features.INT64;
import static dev.strata.dsl.Features.STRING;
import static dev.strata.dsl.Features.TIMESTAMP;
import static dev.strata.dsl.Features.col;
import static dev.strata.dsl.Features.count;
import static dev.strata.dsl.Features.freshness;
import static dev.strata.dsl.Features.sum;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.strata.dsl.Definitions;
import dev.strata.dsl.Entity;
import dev.strata.dsl.Expectation;
import dev.strata.dsl.FeatureView;
import dev.strata.dsl.Source;
import dev.strata.dsl.TableLocation;
import dev.strata.offline.OfflineStore;
import dev.strata.offline.Quality;
import dev.strata.offline.SharedSparkSession;
import dev.strata.offline.TableFormat;
import dev.strata.offline.Tables;
import dev.strata.offline.Warehouse;
import dev.strata.online.RedisLauncher;
import dev.strata.online.RedisOnlineStore;
import dev.strata.registry.ApplyOptions;
import dev.strata.registry.FeatureStatistics;
import dev.strata.registry.RegistryStore;
import dev.strata.registry.RunQuality;
import dev.strata.registry.RunRecord;
import dev.strata.registry.jdbc.JdbcRegistryStore;
import dev.strata.registry.jdbc.RegistryUrls;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Materialization into a real Redis: what Redis serves equals, for every key, the latest offline
 * row as of the interval's end (computed here by a plain loop over the offline table); older
 * intervals never overwrite newer values; incremental runs move the watermark.
 */
@ExtendWith(SharedSparkSession.class)
class MaterializerTest {
  static RedisLauncher redis;

  @BeforeAll
  static void start() {
    redis = RedisLauncher.single();
  }

  @AfterAll
  static void stop() {
    redis.close();
  }

  static final StructType SCHEMA =
      new StructType()
          .add("airport", DataTypes.StringType)
          .add("at", DataTypes.TimestampType)
          .add("x", DataTypes.LongType);
  static final Entity AIRPORT = Entity.builder("airport").joinKey("airport", STRING).build();

  /** A week ago: Redis drops values one TTL after they expire, so the data must be recent. */
  static final Instant BASE =
      Instant.now().truncatedTo(java.time.temporal.ChronoUnit.DAYS).minus(Duration.ofDays(7));

  static FeatureView view(Source s) {
    return view("delays", s);
  }

  /** Count over 6 hours and sum over a day, every 6 hours, with {@code expectations}. */
  static FeatureView view(String name, Source s, Expectation... expectations) {
    FeatureView.Builder b =
        FeatureView.builder(name)
            .entity(AIRPORT)
            .source(s)
            .ttl(Duration.ofDays(3))
            .every(Duration.ofHours(6))
            .aggregate(count().over(Duration.ofHours(6)).as("c6h"))
            .aggregate(sum(col("x")).over(Duration.ofDays(1)).as("s1d"));
    for (Expectation e : expectations) {
      b.expect(e);
    }
    return b.build();
  }

  /**
   * {@code n} random events over {@code span} from {@link #BASE} in a Delta table at {@code path}.
   */
  static Source events(SparkSession spark, String path, long seed, int n, Duration span) {
    spark
        .createDataFrame(events(new Random(seed), n, BASE, span), SCHEMA)
        .write()
        .format("delta")
        .save(path);
    return Source.builder("events")
        .delta(path)
        .eventTimestamp("at")
        .column("airport", STRING)
        .column("at", TIMESTAMP)
        .column("x", INT64)
        .build();
  }

  static LocalDate day(Instant t) {
    return LocalDate.ofInstant(t, java.time.ZoneOffset.UTC);
  }

  static List<Row> events(Random rnd, int n, Instant from, Duration span) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      rows.add(
          RowFactory.create(
              "A" + rnd.nextInt(40),
              Timestamp.from(from.plusSeconds(rnd.nextInt((int) span.getSeconds()))),
              (long) rnd.nextInt(100)));
    }
    return rows;
  }

  /**
   * Per airport, the offline row with the greatest time in [from, end]: the plain-loop reference.
   */
  static Map<String, Row> latest(
      SparkSession spark, TableLocation location, Instant from, Instant end) {
    return OnlineReference.latest(
        Tables.read(spark, location, Optional.empty()).collectAsList(), "airport", from, end);
  }

  static void assertRedisHolds(
      RedisOnlineStore store, FeatureView view, Map<String, Row> expected, Instant now) {
    OnlineReference.assertRedisHolds(store, view, 1, expected, now);
  }

  @Test
  void redisServesTheLatestOfflineValuesAndNeverGoesBack(SparkSession spark, @TempDir Path dir) {
    Source source = events(spark, dir.resolve("source").toString(), 1, 3000, Duration.ofDays(6));
    FeatureView view = view(source);
    try (RegistryStore registry =
            JdbcRegistryStore.open(RegistryUrls.inMemory("m" + UUID.randomUUID()));
        RedisOnlineStore online = RedisOnlineStore.connect(redis.url())) {
      registry.apply(
          Definitions.builder().addAll(AIRPORT, source, view).build(), ApplyOptions.defaults());
      OfflineStore.BackfillResult b =
          new OfflineStore(spark, registry, Warehouse.local(dir.resolve("wh")))
              .backfill("delays", day(BASE), day(BASE.plus(Duration.ofDays(6))), TableFormat.DELTA);
      Materializer m = new Materializer(spark, registry, redis.url());

      Instant end1 = BASE.plus(Duration.ofHours(4 * 24 + 12));
      Instant end2 = BASE.plus(Duration.ofHours(5 * 24 + 12));
      assertThat(m.watermark("delays")).isEmpty();
      Materializer.Result r1 = m.materializeIncremental("delays", end1);
      assertThat(r1.start()).isEqualTo(Instant.EPOCH);
      Map<String, Row> expected1 = latest(spark, b.table(), end1.minus(Duration.ofDays(3)), end1);
      assertThat(r1.rows()).isEqualTo(expected1.size()).isEqualTo(40);
      assertRedisHolds(online, view, expected1, end1);
      assertThat(m.watermark("delays")).contains(end1);

      Materializer.Result r2 = m.materializeIncremental("delays", end2);
      assertThat(r2.start()).isEqualTo(end1);
      Map<String, Row> expected2 = latest(spark, b.table(), end1, end2);
      assertRedisHolds(online, view, expected2, end2);

      // an older interval again: nothing in Redis goes back
      Materializer.Result old = m.materialize("delays", BASE, end1);
      assertThat(old.written()).isZero();
      assertRedisHolds(online, view, expected2, end2);
      // and a rerun of the newest interval writes the same values again
      assertThat(m.materialize("delays", end1, end2).written()).isEqualTo(expected2.size());
      assertRedisHolds(online, view, expected2, end2);

      assertThat(registry.upstream(r2.run().outputs().get(0).toString()).nodes().keySet())
          .contains("offline_table:" + b.table() + "@" + b.snapshot(), "feature_view:delays@v1");

      // a run whose executors cannot write fails in Spark (a checked SparkException): recorded
      // FAILED with its message, and the watermark stays where it was
      Materializer unreachable = new Materializer(spark, registry, "redis://127.0.0.1:1");
      assertThatThrownBy(() -> unreachable.materialize("delays", end1, end2))
          .hasMessageContaining("Job aborted");
      assertThat(registry.runs())
          .filteredOn(
              r -> r.job().equals(Materializer.JOB) && r.status() == RunRecord.Status.FAILED)
          .singleElement()
          .satisfies(
              r -> {
                assertThat(r.properties().get("error")).contains("Job aborted");
                assertThat(r.properties().get("online_store")).isEqualTo("redis://127.0.0.1:1");
                assertThat(r.endedAt()).isNotNull();
              });
      assertThat(registry.runs()).noneMatch(r -> r.status() == RunRecord.Status.RUNNING);
      assertThat(m.watermark("delays")).contains(end2);
    }
  }

  @Test
  void aStrictExpectationStopsTheRunBeforeAnyRedisWriteAndStatisticsDescribeTheValuesWritten(
      SparkSession spark, @TempDir Path dir) {
    Source source = events(spark, dir.resolve("source").toString(), 2, 500, Duration.ofDays(2));
    FeatureView view = view("fresh_delays", source, freshness(Duration.ofHours(12)));
    try (RegistryStore registry =
            JdbcRegistryStore.open(RegistryUrls.inMemory("m" + UUID.randomUUID()));
        RedisOnlineStore online = RedisOnlineStore.connect(redis.url())) {
      registry.apply(
          Definitions.builder().addAll(AIRPORT, source, view).build(), ApplyOptions.defaults());
      OfflineStore.BackfillResult b =
          new OfflineStore(spark, registry, Warehouse.local(dir.resolve("wh")))
              .backfill(
                  "fresh_delays", day(BASE), day(BASE.plus(Duration.ofDays(1))), TableFormat.DELTA);
      Materializer m = new Materializer(spark, registry, redis.url());

      // two days after the newest offline row: stale, so nothing reaches Redis
      Instant stale = BASE.plus(Duration.ofDays(4));
      assertThatThrownBy(() -> m.materialize("fresh_delays", BASE, stale))
          .isInstanceOf(Quality.ExpectationFailedException.class)
          .hasMessageStartingWith(
              "materialization of 'fresh_delays' stopped before writing anything: feature view"
                  + " 'fresh_delays' expects freshness(PT12H), observed newest row at "
                  + BASE.plus(Duration.ofHours(42)));
      assertThat(online.read(view, 1, List.of(List.of("A1")), stale).get(0).status())
          .isEqualTo(RedisOnlineStore.Status.NOT_FOUND);
      assertThat(m.watermark("fresh_delays")).isEmpty();
      RunRecord failed =
          registry.runs().stream()
              .filter(r -> r.job().equals(Materializer.JOB))
              .reduce((a, c) -> c)
              .orElseThrow();
      assertThat(failed.status()).isEqualTo(RunRecord.Status.FAILED);
      assertThat(registry.quality(failed.id()).orElseThrow().blocking()).hasSize(1);

      // at the end of the data: fresh; the statistics are of the newest row of each key
      Instant end = BASE.plus(Duration.ofHours(48));
      Materializer.Result r = m.materialize("fresh_delays", BASE, end);
      Map<String, Row> expected = latest(spark, b.table(), end.minus(Duration.ofDays(3)), end);
      RunQuality q = registry.quality(r.run().id()).orElseThrow();
      assertThat(q.snapshot()).contains(b.snapshot());
      FeatureStatistics s1d = q.statistics("s1d").orElseThrow();
      assertThat(s1d.count()).isEqualTo(expected.size()).isEqualTo(r.rows());
      double sum = 0;
      double max = Double.NEGATIVE_INFINITY;
      for (Row e : expected.values()) {
        long v = e.getLong(e.fieldIndex("s1d"));
        sum += v;
        max = Math.max(max, v);
      }
      assertThat(s1d.mean()).isCloseTo(sum / expected.size(), within(1e-9));
      assertThat(s1d.max()).isEqualTo(max);
      assertThat(q.expectations()).singleElement().satisfies(e -> assertThat(e.passed()).isTrue());
    }
  }

  @Test
  void aViewWithoutAnOfflineTableIsRefused(SparkSession spark, @TempDir Path dir) {
    Source source =
        Source.builder("events")
            .delta(dir.resolve("none").toString())
            .eventTimestamp("at")
            .column("airport", STRING)
            .column("at", TIMESTAMP)
            .column("x", INT64)
            .build();
    try (RegistryStore registry =
        JdbcRegistryStore.open(RegistryUrls.inMemory("m" + UUID.randomUUID()))) {
      registry.apply(
          Definitions.builder().addAll(AIRPORT, source, view(source)).build(),
          ApplyOptions.defaults());
      Materializer m = new Materializer(spark, registry, redis.url());
      assertThatThrownBy(() -> m.materialize("delays", BASE, BASE.plusSeconds(60)))
          .hasMessage(
              "feature view 'delays' v1 has no offline table yet: run 'strata backfill delays' first");
      assertThatThrownBy(() -> m.materialize("nope", BASE, BASE.plusSeconds(60)))
          .hasMessage(
              "No feature view named 'nope' is registered: see what is registered with 'strata ls'");
      assertThatThrownBy(() -> m.materialize("delays", BASE.plusSeconds(60), BASE))
          .hasMessageContaining("is before start");
      assertThat(registry.runs())
          .extracting(r -> r.job())
          .containsOnly(dev.strata.registry.JobKind.APPLY);
    }
  }
}
