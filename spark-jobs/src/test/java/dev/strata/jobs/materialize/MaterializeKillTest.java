package dev.strata.jobs.materialize;

import static dev.strata.dsl.Features.INT64;
import static dev.strata.dsl.Features.STRING;
import static dev.strata.dsl.Features.TIMESTAMP;
import static dev.strata.dsl.Features.col;
import static dev.strata.dsl.Features.lit;
import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.dsl.Definitions;
import dev.strata.dsl.Entity;
import dev.strata.dsl.FeatureView;
import dev.strata.dsl.Source;
import dev.strata.jobs.cli.CliProcess;
import dev.strata.materialization.Materializer;
import dev.strata.offline.OfflineStore;
import dev.strata.offline.StrataSpark;
import dev.strata.offline.TableFormat;
import dev.strata.offline.Warehouse;
import dev.strata.online.RedisEndpoint;
import dev.strata.online.RedisLauncher;
import dev.strata.online.RedisOnlineStore;
import dev.strata.online.RedisOnlineStore.OnlineValue;
import dev.strata.registry.ApplyOptions;
import dev.strata.registry.RegistryStore;
import dev.strata.registry.RunRecord;
import dev.strata.registry.jdbc.JdbcRegistryStore;
import dev.strata.registry.jdbc.RegistryUrls;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/**
 * A materialization killed with SIGKILL part-way through, then rerun: Redis ends equal to the
 * expected latest values, and the killed run never moved the watermark.
 */
class MaterializeKillTest {
  static final int KEYS = 20_000;

  @TempDir Path dir;

  @Test
  void aKilledRunLeavesTheWatermarkAndARerunCompletesRedis() throws Exception {
    Instant day = Instant.now().truncatedTo(ChronoUnit.DAYS).minus(Duration.ofDays(1));
    String registryUrl = RegistryUrls.embedded(dir.resolve("registry"));
    Path warehouse = dir.resolve("warehouse");
    SparkSession spark =
        StrataSpark.configure(SparkSession.builder(), warehouse)
            .master("local[2]")
            .config("spark.ui.enabled", "false")
            .config("spark.driver.host", "127.0.0.1")
            .getOrCreate();
    String sourcePath = dir.resolve("source").toString();
    StructType schema =
        new StructType()
            .add("user", DataTypes.StringType)
            .add("at", DataTypes.TimestampType)
            .add("x", DataTypes.LongType);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < KEYS; i++) {
      rows.add(RowFactory.create("u" + i, Timestamp.from(day.plusSeconds(i)), (long) i));
    }
    spark.createDataFrame(rows, schema).write().format("delta").save(sourcePath);
    Entity user = Entity.builder("user").joinKey("user", STRING).build();
    Source source =
        Source.builder("clicks")
            .delta(sourcePath)
            .eventTimestamp("at")
            .column("user", STRING)
            .column("at", TIMESTAMP)
            .column("x", INT64)
            .build();
    FeatureView view =
        FeatureView.builder("user_x")
            .entity(user)
            .source(source)
            .ttl(Duration.ofDays(30))
            .feature(col("x").plus(lit(1L)).as("x1"))
            .build();
    Instant end = day.plus(Duration.ofDays(1));

    try (RedisLauncher redis = RedisLauncher.single();
        RegistryStore registry = JdbcRegistryStore.open(registryUrl)) {
      registry.apply(
          Definitions.builder().addAll(user, source, view).build(), ApplyOptions.defaults());
      LocalDate d = LocalDate.ofInstant(day, ZoneOffset.UTC);
      new OfflineStore(spark, registry, Warehouse.local(warehouse))
          .backfill("user_x", d, d, TableFormat.DELTA);

      Process p =
          strata(
              List.of("-Dstrata.materialize.batchDelayMs=150"),
              "materialize-incremental",
              "user_x",
              "--end",
              end.toString(),
              "--registry",
              registryUrl,
              "--redis",
              redis.url(),
              "--warehouse",
              warehouse.toString(),
              "--master",
              "local[2]");
      long written = 0;
      long deadline = System.currentTimeMillis() + 120_000;
      try (Jedis j = new Jedis("127.0.0.1", redis.ports().get(0))) {
        while ((written = j.dbSize()) < KEYS / 10
            && System.currentTimeMillis() < deadline
            && p.isAlive()) {
          Thread.sleep(100);
        }
        assertThat(p.isAlive())
            .as("the run must still be running: " + Files.readString(dir.resolve("child.err")))
            .isTrue();
        p.destroyForcibly().waitFor(); // SIGKILL
        written = j.dbSize();
      }
      assertThat(written).isBetween((long) KEYS / 10, (long) KEYS - 1);
      Materializer m = new Materializer(spark, registry, redis.url());
      assertThat(m.watermark("user_x")).isEmpty();
      assertThat(registry.runs())
          .filteredOn(r -> r.job().equals(Materializer.JOB))
          .singleElement()
          .satisfies(r -> assertThat(r.status()).isEqualTo(RunRecord.Status.RUNNING));

      Materializer.Result rerun = m.materializeIncremental("user_x", end);
      assertThat(rerun.start()).isEqualTo(Instant.EPOCH);
      assertThat(rerun.rows()).isEqualTo(KEYS);
      assertThat(m.watermark("user_x")).contains(end);
      // the killed run's process is gone: the rerun marked it abandoned, it never stays RUNNING
      assertThat(registry.runs())
          .filteredOn(r -> r.job().equals(Materializer.JOB))
          .extracting(RunRecord::status)
          .containsExactlyInAnyOrder(RunRecord.Status.ABANDONED, RunRecord.Status.COMPLETED);

      // a new, empty Redis has no watermark of its own: its first incremental run loads every key
      try (RedisLauncher fresh = RedisLauncher.single()) {
        Materializer other = new Materializer(spark, registry, fresh.url());
        assertThat(other.watermark("user_x")).isEmpty();
        Materializer.Result first = other.materializeIncremental("user_x", end);
        assertThat(first.start()).isEqualTo(Instant.EPOCH);
        assertThat(first.written()).isEqualTo(KEYS);
        assertThat(registry.watermarks())
            .extracting(dev.strata.registry.Watermark::onlineStore)
            .containsExactlyInAnyOrder(
                RedisEndpoint.parse(redis.url()).identity(),
                RedisEndpoint.parse(fresh.url()).identity());
      }

      List<List<String>> keys = new ArrayList<>();
      for (int i = 0; i < KEYS; i++) {
        keys.add(List.of("u" + i));
      }
      try (RedisOnlineStore online = RedisOnlineStore.connect(redis.url())) {
        List<OnlineValue> got = online.read(view, 1, keys, Instant.now());
        for (int i = 0; i < KEYS; i++) {
          assertThat(got.get(i).values()).as("u" + i).containsExactly((long) i + 1);
          assertThat(got.get(i).eventMicros()).isEqualTo((day.getEpochSecond() + i) * 1_000_000L);
        }
      }
    }
  }

  private Process strata(List<String> jvm, String... args) throws Exception {
    return CliProcess.start(dir, jvm, args);
  }
}
