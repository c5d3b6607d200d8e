package dev.strata.jobs.storage;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.dsl.Definitions;
import dev.strata.dsl.FeatureService;
import dev.strata.dsl.FeatureView;
import dev.strata.dsl.Snapshot;
import dev.strata.dsl.Source;
import dev.strata.dsl.TableLocation;
import dev.strata.examples.flights.FlightsRepository;
import dev.strata.jobs.cli.CliProcess;
import dev.strata.materialization.Materializer;
import dev.strata.materialization.OnlineReference;
import dev.strata.offline.HadoopFs;
import dev.strata.offline.OfflineStore;
import dev.strata.offline.TableFormat;
import dev.strata.offline.Tables;
import dev.strata.offline.Warehouse;
import dev.strata.online.RedisLauncher;
import dev.strata.online.RedisOnlineStore;
import dev.strata.registry.ApplyOptions;
import dev.strata.registry.ModelVersion;
import dev.strata.registry.RegistryStore;
import dev.strata.registry.TrainingSet;
import dev.strata.registry.jdbc.JdbcRegistryStore;
import dev.strata.registry.jdbc.RegistryUrls;
import dev.strata.training.Models;
import dev.strata.training.TrainSpec;
import dev.strata.training.TrainingSets;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The jobs on object storage: the warehouse, the source and every output on {@code s3a://}, served
 * by a real S3-protocol server (S3Proxy). Runs in a JVM of its own (a surefire execution), since
 * its SparkSession's Iceberg catalog lives on s3a.
 */
class ObjectStorageTest {
  static final String BUCKET = "lake";
  static final LocalDate D1 = LocalDate.parse("2001-01-02");
  static final LocalDate D2 = LocalDate.parse("2001-01-03");
  static final List<String> ORIGIN_COLUMNS =
      List.of(
          "origin",
          "feature_timestamp",
          "feature_date",
          "avg_delay_1h",
          "flights_1d",
          "avg_delay_1d",
          "late_share_1d");

  @TempDir static Path dir;
  static S3Server s3;
  static SparkSession spark;
  static Warehouse warehouse;
  static String flights;

  @BeforeAll
  static void start() throws Exception {
    s3 = S3Server.start(dir.resolve("s3"), BUCKET);
    warehouse = Warehouse.of("s3a://" + BUCKET + "/warehouse");
    spark = s3.session(warehouse);
    // the source itself lives in the bucket: four days of the flights sample, as a Delta table
    flights = "s3a://" + BUCKET + "/sources/flights";
    Tables.write(
        spark,
        spark
            .read()
            .parquet(FlightsRepository.path())
            .filter(col("date").lt(lit(Timestamp.from(Instant.parse("2001-01-05T00:00:00Z"))))),
        TableFormat.DELTA.at(flights),
        false);
  }

  @AfterAll
  static void stop() {
    if (s3 != null) {
      s3.close();
    }
  }

  static RegistryStore registry() {
    RegistryStore registry =
        JdbcRegistryStore.open(RegistryUrls.inMemory("s3" + UUID.randomUUID()));
    Source source = FlightsRepository.flights(flights).toBuilder().delta(flights).build();
    FeatureView origin = FlightsRepository.originDelays(source);
    FeatureView route = FlightsRepository.routeStats(source);
    FeatureService service = FlightsRepository.delayModel(origin, route);
    registry.apply(
        Definitions.builder()
            .addAll(
                FlightsRepository.AIRPORT, FlightsRepository.ROUTE, source, origin, route, service)
            .build(),
        ApplyOptions.defaults());
    return registry;
  }

  /** The rows as sorted text, the same columns in the same order for every format. */
  static List<String> rows(Dataset<Row> d) {
    List<String> out = new ArrayList<>();
    d.select(ORIGIN_COLUMNS.stream().map(c -> col(c)).toArray(org.apache.spark.sql.Column[]::new))
        .collectAsList()
        .forEach(r -> out.add(r.toString()));
    out.sort(null);
    return out;
  }

  static List<String> day(List<String> rows, LocalDate d) {
    return rows.stream().filter(r -> r.contains("," + d + ",")).toList();
  }

  @ParameterizedTest
  @EnumSource(
      value = TableFormat.class,
      names = {"DELTA", "ICEBERG", "HUDI"})
  void backfillsDayByDayKeepEveryDay(TableFormat format, @TempDir Path local) {
    try (RegistryStore registry = registry()) {
      OfflineStore store = new OfflineStore(spark, registry, warehouse);
      OfflineStore.BackfillResult first = store.backfill("origin_delays", D1, D1, format);
      assertThat(first.table().location())
          .startsWith(format == TableFormat.ICEBERG ? "offline." : "s3a://lake/warehouse/");
      List<String> day1 = rows(Tables.read(spark, first.table(), Optional.of(first.snapshot())));
      assertThat(day1).hasSize((int) first.rows()).isNotEmpty();

      OfflineStore.BackfillResult second = store.backfill("origin_delays", D2, D2, format);
      List<String> both = rows(Tables.read(spark, second.table(), Optional.empty()));
      assertThat(day(both, D1)).as("day 1 after day 2's backfill").isEqualTo(day1);
      assertThat(day(both, D2)).hasSize((int) second.rows()).isNotEmpty();

      OfflineStore.BackfillResult rerun = store.backfill("origin_delays", D1, D1, format);
      assertThat(rerun.snapshot()).isNotEqualTo(second.snapshot());
      assertThat(rows(Tables.read(spark, rerun.table(), Optional.empty())))
          .as("after rerunning day 1")
          .isEqualTo(both);

      // the same two days computed in one run into a table on the local disk
      OfflineStore.BackfillResult reference =
          new OfflineStore(spark, registry, Warehouse.local(local))
              .backfill("origin_delays", D1, D2, TableFormat.DELTA);
      assertThat(reference.table().location()).startsWith("file:");
      assertThat(both).isEqualTo(rows(Tables.read(spark, reference.table(), Optional.empty())));
    }
  }

  @Test
  void historicalMaterializationTrainingAndScoringOnS3a() throws Exception {
    try (RegistryStore registry = registry();
        RedisLauncher redis = RedisLauncher.single();
        RedisOnlineStore online = RedisOnlineStore.connect(redis.url())) {
      OfflineStore store = new OfflineStore(spark, registry, warehouse);
      OfflineStore.BackfillResult b = store.backfill("origin_delays", D1, D2, TableFormat.DELTA);

      // historical retrieval: read from the bucket, written back to it, read again
      String labels = "s3a://" + BUCKET + "/labels";
      Tables.write(
          spark,
          Tables.read(spark, TableFormat.DELTA.at(flights), Optional.empty())
              .select(
                  col("origin"),
                  col("destination"),
                  col("date").as("departure"),
                  col("delay").gt(15).cast("int").as("delayed")),
          TableFormat.DELTA.at(labels),
          false);
      Dataset<Row> entities =
          Tables.read(spark, TableFormat.DELTA.at(labels), Optional.empty())
              .filter(
                  col("departure").geq(lit(Timestamp.from(Instant.parse("2001-01-04T00:00:00Z")))));
      OfflineStore.Historical h = store.historical(entities, "departure", "delay_model", false);
      TableLocation out = TableFormat.DELTA.at("s3a://" + BUCKET + "/outputs/historical");
      Optional<Snapshot> written = Tables.write(spark, h.rows(), out, false);
      Dataset<Row> back = Tables.read(spark, out, written);
      assertThat(back.count()).isEqualTo(entities.count());
      assertThat(back.exceptAll(h.rows()).count()).isZero();
      assertThat(h.rows().exceptAll(back).count()).isZero();

      // materialization from the s3a table: Redis holds, per key, the latest row in the interval
      Instant start = D1.atStartOfDay(ZoneOffset.UTC).toInstant();
      Instant end = Instant.parse("2001-01-03T12:00:00Z");
      Materializer.Result m =
          new Materializer(spark, registry, redis.url()).materialize("origin_delays", start, end);
      FeatureView view = registry.featureView("origin_delays").orElseThrow();
      Instant from =
          view.ttl().isZero() || start.isAfter(end.minus(view.ttl()))
              ? start
              : end.minus(view.ttl());
      Map<String, Row> latest =
          OnlineReference.latest(
              Tables.read(spark, b.table(), Optional.of(b.snapshot())).collectAsList(),
              "origin",
              from,
              end);
      assertThat(m.rows()).isEqualTo(latest.size()).isGreaterThan(10);
      OnlineReference.assertRedisHolds(online, view, 1, latest, end);

      // a training set stored in the bucket, rebuilt from its record, and a model saved there
      TrainingSets sets = new TrainingSets(spark, registry, warehouse);
      TrainingSet ts =
          sets.build(
              new TrainingSets.TrainingSetSpec(
                  "delays",
                  TableFormat.DELTA.at(labels),
                  "departure",
                  "delayed",
                  "delay_model",
                  Instant.parse("2001-01-02T00:00:00Z"),
                  Instant.parse("2001-01-05T00:00:00Z"),
                  TableFormat.DELTA));
      assertThat(ts.table().location()).startsWith("s3a://lake/warehouse/training_sets/delays/");
      assertThat(sets.read(ts).count()).isEqualTo(ts.rows()).isGreaterThan(1000);
      assertThat(sets.rebuild(ts).count()).isEqualTo(ts.rows()); // throws when the checksum differs

      Models models = new Models(spark, registry, warehouse);
      ModelVersion model =
          models.train(TrainSpec.defaults("delay_model", "delays").withRounds(5, 0));
      assertThat(model.xgboostModel()).startsWith("s3a://lake/warehouse/models/delay_model/");
      assertThat(HadoopFs.exists(spark, model.xgboostModel())).isTrue();
      // the entities of the last day (stored in the bucket too) get scores there
      TableLocation lastDay = TableFormat.DELTA.at("s3a://" + BUCKET + "/entities/last_day");
      Tables.write(spark, entities, lastDay, false);
      Models.Scored scored =
          models.score(
              "delay_model",
              null,
              lastDay,
              "departure",
              TableFormat.DELTA.at("s3a://" + BUCKET + "/outputs/scores"),
              false);
      assertThat(Tables.read(spark, scored.output(), scored.snapshot()).count())
          .isEqualTo(entities.count());
      assertThat(Arrays.asList(Tables.read(spark, scored.output(), scored.snapshot()).columns()))
          .contains("prediction", "probability", "model");
    }
  }

  /** The CLI itself, in a JVM of its own, backfills into an s3a:// warehouse it is given. */
  @Test
  void theCliBackfillsIntoAnS3aWarehouse(@TempDir Path work) throws Exception {
    String registry = RegistryUrls.embedded(work.resolve("registry"));
    CliProcess.Finished apply =
        cli(work.resolve("apply"), "apply", "-r", "flights", "--registry", registry);
    assertThat(apply.code()).as(apply.err()).isZero();
    List<String> args =
        new ArrayList<>(
            List.of(
                "backfill",
                "origin_delays",
                "--start",
                "2001-01-02",
                "--end",
                "2001-01-02",
                "--registry",
                registry,
                "--warehouse",
                "s3a://" + BUCKET + "/cli-warehouse"));
    s3.sparkConf()
        .forEach(
            (k, v) -> {
              args.add("--conf");
              args.add(k + "=" + v);
            });
    CliProcess.Finished backfill = cli(work.resolve("backfill"), args.toArray(String[]::new));
    assertThat(backfill.code()).as(backfill.err()).isZero();
    String location = "s3a://" + BUCKET + "/cli-warehouse/offline/delta/origin_delays_v1";
    assertThat(backfill.out()).contains("into delta " + location);
    assertThat(Tables.read(spark, TableFormat.DELTA.at(location), Optional.empty()).count())
        .isPositive();
  }

  /** {@code strata ARGS} with the example's flights source where this test JVM has it. */
  private static CliProcess.Finished cli(Path dir, String... args) throws Exception {
    Process p =
        CliProcess.start(
            dir,
            List.of("-Dstrata.flights.path=" + Path.of(FlightsRepository.path()).toAbsolutePath()),
            args);
    if (!p.waitFor(5, java.util.concurrent.TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new IllegalStateException(
          "strata " + String.join(" ", args) + " did not finish in 5 minutes");
    }
    return new CliProcess.Finished(
        p.exitValue(),
        java.nio.file.Files.readString(dir.resolve("child.out")),
        java.nio.file.Files.readString(dir.resolve("child.err")));
  }
}
