package dev.strata.offline;

import static dev.strata.dsl.Features.INT64;
import static dev.strata.dsl.Features.STRING;
import static dev.strata.dsl.Features.TIMESTAMP;
import static dev.strata.dsl.Features.col;
import static dev.strata.dsl.Features.count;
import static dev.strata.dsl.Features.lit;
import static dev.strata.dsl.Features.sum;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.dsl.Definitions;
import dev.strata.dsl.Entity;
import dev.strata.dsl.FeatureView;
import dev.strata.dsl.Snapshot;
import dev.strata.dsl.Source;
import dev.strata.dsl.TableLocation;
import dev.strata.registry.ApplyOptions;
import dev.strata.registry.JobKind;
import dev.strata.registry.LineageGraph;
import dev.strata.registry.RegistryStore;
import dev.strata.registry.RunRecord;
import dev.strata.registry.jdbc.JdbcRegistryStore;
import dev.strata.registry.jdbc.RegistryUrls;
import java.nio.file.Path;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Backfills into Delta, Iceberg and Hudi against a hand-checked table: rerunning an interval
 * replaces it, a rerun of one day leaves the other alone, older snapshots stay readable, every
 * write is in the registry with its lineage, and a source that does not match its definition writes
 * nothing.
 */
@ExtendWith(SharedSparkSession.class)
class OfflineStoreTest {
  static final StructType SOURCE_SCHEMA =
      new StructType()
          .add("airport", DataTypes.StringType)
          .add("at", DataTypes.TimestampType)
          .add("x", DataTypes.LongType);

  static final Entity AIRPORT = Entity.builder("airport").joinKey("airport", STRING).build();

  static Source source(String path) {
    return Source.builder("events")
        .delta(path)
        .eventTimestamp("at")
        .column("airport", STRING)
        .column("at", TIMESTAMP)
        .column("x", INT64)
        .build();
  }

  /** Count over 6 hours and sum over a day, every 6 hours. */
  static FeatureView view(Source source) {
    return FeatureView.builder("delays")
        .entity(AIRPORT)
        .source(source)
        .ttl(Duration.ofDays(1))
        .every(Duration.ofHours(6))
        .aggregate(count().over(Duration.ofHours(6)).as("c6h"))
        .aggregate(sum(col("x")).over(Duration.ofDays(1)).as("s1d"))
        .build();
  }

  static Row event(String airport, String at, long x) {
    return RowFactory.create(airport, Timestamp.from(Instant.parse(at)), x);
  }

  static Row out(String airport, String at, long c, long s) {
    Instant t = Instant.parse(at);
    return RowFactory.create(
        airport,
        Timestamp.from(t),
        c,
        s,
        Date.valueOf(LocalDate.ofInstant(t, java.time.ZoneOffset.UTC)));
  }

  static final StructType OUT_SCHEMA =
      new StructType()
          .add("airport", DataTypes.StringType)
          .add("feature_timestamp", DataTypes.TimestampType)
          .add("c6h", DataTypes.LongType)
          .add("s1d", DataTypes.LongType)
          .add("feature_date", DataTypes.DateType);

  /** Worked out by hand from the events, window by window. */
  static final List<Row> FIRST =
      List.of(
          out("A", "2024-03-01T06:00:00Z", 2, 30),
          out("A", "2024-03-01T12:00:00Z", 0, 30),
          out("A", "2024-03-01T18:00:00Z", 0, 30),
          out("A", "2024-03-02T00:00:00Z", 0, 30),
          out("A", "2024-03-02T06:00:00Z", 1, 30),
          out("A", "2024-03-02T12:00:00Z", 0, 30),
          out("A", "2024-03-02T18:00:00Z", 0, 30),
          out("B", "2024-03-02T00:00:00Z", 1, 5),
          out("B", "2024-03-02T06:00:00Z", 0, 5),
          out("B", "2024-03-02T12:00:00Z", 0, 5),
          out("B", "2024-03-02T18:00:00Z", 0, 5));

  @ParameterizedTest
  @EnumSource(
      value = TableFormat.class,
      names = {"DELTA", "ICEBERG", "HUDI"})
  void backfillReplacesItsIntervalAndRecordsSnapshots(
      TableFormat format, SparkSession spark, @TempDir Path dir) {
    String sourcePath = dir.resolve("source").toString();
    spark
        .createDataFrame(
            List.of(
                event("A", "2024-03-01T01:00:00Z", 10),
                event("A", "2024-03-01T05:00:00Z", 20),
                event("A", "2024-03-02T02:00:00Z", 30),
                event("B", "2024-03-01T23:00:00Z", 5),
                event("C", "2024-02-01T00:00:00Z", 7)),
            SOURCE_SCHEMA)
        .write()
        .format("delta")
        .save(sourcePath);
    Source source = source(sourcePath);
    try (RegistryStore registry =
        JdbcRegistryStore.open(RegistryUrls.inMemory("t" + UUID.randomUUID()))) {
      registry.apply(
          Definitions.builder().addAll(AIRPORT, source, view(source)).build(),
          ApplyOptions.defaults());
      OfflineStore store =
          new OfflineStore(spark, registry, Warehouse.local(dir.resolve("warehouse-" + format)));
      LocalDate d1 = LocalDate.parse("2024-03-01");
      LocalDate d2 = LocalDate.parse("2024-03-02");

      OfflineStore.BackfillResult first = store.backfill("delays", d1, d2, format);
      assertThat(first.rows()).isEqualTo(FIRST.size());
      assertThat(first.sourceSnapshot()).contains(new Snapshot("0"));
      DataFrames.assertEqualsIgnoringOrder(
          spark.createDataFrame(FIRST, OUT_SCHEMA), table(spark, format, first));

      OfflineStore.BackfillResult again = store.backfill("delays", d1, d2, format);
      DataFrames.assertEqualsIgnoringOrder(
          spark.createDataFrame(FIRST, OUT_SCHEMA), table(spark, format, again));

      // rows outside the range fail the write as they are written, before any commit
      Dataset<Row> bothDays = Tables.read(spark, again.table(), Optional.empty());
      assertThatThrownBy(
              () ->
                  Tables.replaceRange(
                      spark,
                      bothDays,
                      again.table(),
                      new Tables.TableLayout(
                          List.of("airport", "feature_timestamp"),
                          "feature_timestamp",
                          "feature_date"),
                      d2,
                      d2))
          .hasStackTraceContaining("a row outside 2024-03-02..2024-03-02 in a write to")
          .hasStackTraceContaining(": 2024-03-01");
      assertThat(Tables.currentSnapshot(spark, again.table())).contains(again.snapshot());
      DataFrames.assertEqualsIgnoringOrder(
          spark.createDataFrame(FIRST, OUT_SCHEMA), table(spark, format, again));

      // a late event on the second day; only that day is recomputed
      spark
          .createDataFrame(List.of(event("A", "2024-03-02T07:00:00Z", 100)), SOURCE_SCHEMA)
          .write()
          .format("delta")
          .mode(SaveMode.Append)
          .save(sourcePath);
      OfflineStore.BackfillResult day2 = store.backfill("delays", d2, d2, format);
      assertThat(day2.sourceSnapshot()).contains(new Snapshot("1"));
      List<Row> expected = new ArrayList<>(FIRST);
      expected.set(5, out("A", "2024-03-02T12:00:00Z", 1, 130));
      expected.set(6, out("A", "2024-03-02T18:00:00Z", 0, 130));
      DataFrames.assertEqualsIgnoringOrder(
          spark.createDataFrame(expected, OUT_SCHEMA), table(spark, format, day2));

      // the first snapshot is still there
      DataFrames.assertEqualsIgnoringOrder(
          spark.createDataFrame(FIRST, OUT_SCHEMA),
          sameNullability(
              Tables.read(spark, first.table(), Optional.of(first.snapshot()))
                  .select("airport", "feature_timestamp", "c6h", "s1d", "feature_date")));

      List<RunRecord> runs =
          registry.runs().stream().filter(r -> r.job().equals(JobKind.BACKFILL)).toList();
      assertThat(runs)
          .hasSize(3)
          .allSatisfy(r -> assertThat(r.status()).isEqualTo(RunRecord.Status.COMPLETED));
      String tableNode = runs.get(2).outputs().get(0).toString();
      assertThat(tableNode).endsWith("@" + day2.snapshot());
      LineageGraph up = registry.upstream(tableNode);
      assertThat(up.nodes().keySet())
          .contains(
              "feature_view:delays@v1",
              "table:delta:" + sourcePath + "@1",
              "table:delta:" + sourcePath);
      assertThat(registry.downstream("feature_view:delays@v1").nodes()).hasSize(4);
    }
  }

  private static Dataset<Row> table(
      SparkSession spark, TableFormat format, OfflineStore.BackfillResult r) {
    return sameNullability(
        Tables.read(spark, r.table(), Optional.empty())
            .select("airport", "feature_timestamp", "c6h", "s1d", "feature_date"));
  }

  /** Hudi keeps its record-key columns non-null; the comparison is about names, types and rows. */
  private static Dataset<Row> sameNullability(Dataset<Row> d) {
    assertThat(d.schema().fields())
        .extracting(f -> f.name() + " " + f.dataType().simpleString())
        .containsExactly(
            "airport string",
            "feature_timestamp timestamp",
            "c6h bigint",
            "s1d bigint",
            "feature_date date");
    return d.sparkSession().createDataFrame(d.collectAsList(), OUT_SCHEMA);
  }

  @ParameterizedTest
  @EnumSource(
      value = TableFormat.class,
      names = {"DELTA", "ICEBERG", "HUDI", "PARQUET"})
  void writeAppendAndReadAtSnapshot(TableFormat format, SparkSession spark, @TempDir Path dir) {
    TableLocation location =
        format.at(
            format == TableFormat.ICEBERG
                ? "outputs.t" + UUID.randomUUID().toString().replace("-", "")
                : dir.resolve("t").toString());
    Dataset<Row> first =
        spark.createDataFrame(
            List.of(event("A", "2024-03-01T01:00:00Z", 1), event("B", "2024-03-01T02:00:00Z", 2)),
            SOURCE_SCHEMA);
    Dataset<Row> second =
        spark.createDataFrame(List.of(event("C", "2024-03-02T01:00:00Z", 3)), SOURCE_SCHEMA);

    Optional<Snapshot> s1 = Tables.write(spark, first, location, false);
    assertThatThrownBy(() -> Tables.write(spark, first, location, false))
        .isInstanceOf(OutputExistsException.class)
        .hasMessageContaining("exists; write with overwrite to replace it");
    Optional<Snapshot> s2 = Tables.append(spark, second, location);
    DataFrames.assertEqualsIgnoringOrder(
        first.union(second),
        Tables.read(spark, location, Optional.empty()).select("airport", "at", "x"));
    assertThat(s1.isPresent()).isEqualTo(format != TableFormat.PARQUET);
    if (format != TableFormat.PARQUET) {
      assertThat(s2).isNotEqualTo(s1);
      DataFrames.assertEqualsIgnoringOrder(
          first, Tables.read(spark, location, s1).select("airport", "at", "x"));
    }
  }

  @Test
  void aSourceThatDoesNotMatchItsDefinitionWritesNothing(SparkSession spark, @TempDir Path dir) {
    String sourcePath = dir.resolve("source").toString();
    StructType wrong =
        new StructType()
            .add("airport", DataTypes.StringType)
            .add("at", DataTypes.TimestampType)
            .add("x", DataTypes.StringType);
    spark
        .createDataFrame(
            List.of(
                RowFactory.create(
                    "A", Timestamp.from(Instant.parse("2024-03-01T01:00:00Z")), "10")),
            wrong)
        .write()
        .format("delta")
        .save(sourcePath);
    Source source = source(sourcePath);
    try (RegistryStore registry =
        JdbcRegistryStore.open(RegistryUrls.inMemory("t" + UUID.randomUUID()))) {
      registry.apply(
          Definitions.builder().addAll(AIRPORT, source, view(source)).build(),
          ApplyOptions.defaults());
      OfflineStore store =
          new OfflineStore(spark, registry, Warehouse.local(dir.resolve("warehouse")));
      LocalDate d = LocalDate.parse("2024-03-01");
      assertThatThrownBy(() -> store.backfill("delays", d, d, TableFormat.DELTA))
          .isInstanceOf(SourceSchemaException.class)
          .hasMessage(
              "feature view 'delays': source 'events' (delta:"
                  + sourcePath
                  + ") does not match its"
                  + " definition:\n  - column 'x' has type string, expected INT64 (bigint)");
      assertThat(Tables.exists(spark, store.location("delays", 1, TableFormat.DELTA))).isFalse();
      assertThat(registry.runs()).extracting(RunRecord::job).doesNotContain(JobKind.BACKFILL);
    }
  }

  @Test
  void aRowLevelViewKeepsOneRowPerKeyAndTime(SparkSession spark, @TempDir Path dir) {
    String sourcePath = dir.resolve("source").toString();
    spark
        .createDataFrame(
            List.of(
                event("A", "2024-03-01T01:00:00Z", 10),
                event("A", "2024-03-01T01:00:00Z", 12),
                event("A", "2024-03-01T01:00:00Z", 12),
                event("A", "2024-03-02T01:00:00Z", 1),
                event("B", "2024-03-01T03:00:00Z", 5)),
            SOURCE_SCHEMA)
        .write()
        .format("delta")
        .save(sourcePath);
    Source source = source(sourcePath);
    FeatureView rows =
        FeatureView.builder("rows")
            .entity(AIRPORT)
            .source(source)
            .feature(col("x").plus(lit(1L)).as("x1"))
            .build();
    try (RegistryStore registry =
        JdbcRegistryStore.open(RegistryUrls.inMemory("t" + UUID.randomUUID()))) {
      registry.apply(
          Definitions.builder().addAll(AIRPORT, source, rows).build(), ApplyOptions.defaults());
      OfflineStore store =
          new OfflineStore(spark, registry, Warehouse.local(dir.resolve("warehouse")));
      LocalDate d = LocalDate.parse("2024-03-01");
      OfflineStore.BackfillResult r = store.backfill("rows", d, d, TableFormat.DELTA);
      StructType schema =
          new StructType()
              .add("airport", DataTypes.StringType)
              .add("event_timestamp", DataTypes.TimestampType)
              .add("created_timestamp", DataTypes.TimestampType)
              .add("x1", DataTypes.LongType)
              .add("feature_date", DataTypes.DateType);
      Date day = Date.valueOf(d);
      DataFrames.assertEqualsIgnoringOrder(
          spark.createDataFrame(
              List.of(
                  RowFactory.create(
                      "A", Timestamp.from(Instant.parse("2024-03-01T01:00:00Z")), null, 13L, day),
                  RowFactory.create(
                      "B", Timestamp.from(Instant.parse("2024-03-01T03:00:00Z")), null, 6L, day)),
              schema),
          Tables.read(spark, r.table(), Optional.empty()));
    }
  }
}
