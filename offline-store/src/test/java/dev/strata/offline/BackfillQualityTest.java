package dev.strata.offline;

import static dev.strata.dsl.Features.between;
import static dev.strata.dsl.Features.col;
import static dev.strata.dsl.Features.count;
import static dev.strata.dsl.Features.freshness;
import static dev.strata.dsl.Features.rowCount;
import static dev.strata.dsl.Features.sum;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.strata.dsl.Definitions;
import dev.strata.dsl.FeatureView;
import dev.strata.dsl.Source;
import dev.strata.registry.ApplyOptions;
import dev.strata.registry.ExpectationResult;
import dev.strata.registry.FeatureStatistics;
import dev.strata.registry.JobKind;
import dev.strata.registry.RegistryStore;
import dev.strata.registry.RunQuality;
import dev.strata.registry.RunRecord;
import dev.strata.registry.jdbc.JdbcRegistryStore;
import dev.strata.registry.jdbc.RegistryUrls;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A backfill measures its rows and checks the view's expectations before it commits: statistics are
 * recorded with the snapshot, a WARN failure is recorded and the backfill goes on, a STRICT failure
 * leaves the table at its version and the catalog as it was, in Delta, Iceberg and Hudi.
 */
@ExtendWith(SharedSparkSession.class)
class BackfillQualityTest {

  /**
   * {@link OfflineStoreTest#view} with expectations: s1d in [0, 100], at least 1000 rows (WARN).
   */
  static FeatureView view(Source source) {
    return FeatureView.builder("delays")
        .entity(OfflineStoreTest.AIRPORT)
        .source(source)
        .ttl(Duration.ofDays(1))
        .every(Duration.ofHours(6))
        .aggregate(count().over(Duration.ofHours(6)).as("c6h"))
        .aggregate(sum(col("x")).over(Duration.ofDays(1)).as("s1d"))
        .expect(between(col("s1d"), 0, 100))
        .expect(rowCount().atLeast(1000).warnOnly())
        .expect(freshness(Duration.ofHours(6)))
        .build();
  }

  /** {@link OfflineStoreTest}'s hand-checked events in a Delta table at {@code path}. */
  static Source firstEvents(SparkSession spark, String path) {
    spark
        .createDataFrame(
            List.of(
                OfflineStoreTest.event("A", "2024-03-01T01:00:00Z", 10),
                OfflineStoreTest.event("A", "2024-03-01T05:00:00Z", 20),
                OfflineStoreTest.event("A", "2024-03-02T02:00:00Z", 30),
                OfflineStoreTest.event("B", "2024-03-01T23:00:00Z", 5),
                OfflineStoreTest.event("C", "2024-02-01T00:00:00Z", 7)),
            OfflineStoreTest.SOURCE_SCHEMA)
        .write()
        .format("delta")
        .save(path);
    return OfflineStoreTest.source(path);
  }

  @ParameterizedTest
  @EnumSource(
      value = TableFormat.class,
      names = {"DELTA", "ICEBERG", "HUDI"})
  void strictFailureCommitsNothingAndStatisticsAreRecorded(
      TableFormat format, SparkSession spark, @TempDir Path dir) {
    String sourcePath = dir.resolve("source").toString();
    Source source = firstEvents(spark, sourcePath);
    try (RegistryStore registry =
        JdbcRegistryStore.open(RegistryUrls.inMemory("q" + UUID.randomUUID()))) {
      registry.apply(
          Definitions.builder().addAll(OfflineStoreTest.AIRPORT, source, view(source)).build(),
          ApplyOptions.defaults());
      OfflineStore store =
          new OfflineStore(spark, registry, Warehouse.local(dir.resolve("warehouse-" + format)));
      LocalDate d1 = LocalDate.parse("2024-03-01");
      LocalDate d2 = LocalDate.parse("2024-03-02");

      OfflineStore.BackfillResult first = store.backfill("delays", d1, d2, format);
      RunQuality q = registry.quality(first.run().id()).orElseThrow();
      assertThat(q.snapshot()).contains(first.snapshot());
      assertThat(q.subject()).isEqualTo(RunQuality.Subject.view("delays", 1));
      // OfflineStoreTest.FIRST, by hand: c6h 2,0,0,0,1,0,0 (A) and 1,0,0,0 (B); s1d 30 x7, 5 x4
      FeatureStatistics c6h = q.statistics("c6h").orElseThrow();
      assertThat(c6h.count()).isEqualTo(11);
      assertThat(c6h.nulls()).isZero();
      assertThat(c6h.mean()).isCloseTo(4.0 / 11, within(1e-12));
      assertThat(c6h.min()).isEqualTo(0.0);
      assertThat(c6h.max()).isEqualTo(2.0);
      assertThat(c6h.approxDistinct()).isEqualTo(3);
      assertThat(c6h.histogram().total()).isEqualTo(11);
      FeatureStatistics s1d = q.statistics("s1d").orElseThrow();
      assertThat(s1d.mean()).isCloseTo(230.0 / 11, within(1e-12));
      assertThat(s1d.quantile(0.5)).isEqualTo(30.0);
      assertThat(s1d.quantile(0.01)).isEqualTo(5.0);
      assertThat(q.expectations())
          .extracting(ExpectationResult::toString)
          .containsExactly(
              "passed delays: between(s1d, 0, 100) (0 of 11 values outside (min 5, max 30))",
              "warning delays: rowCount().atLeast(1000) (11 rows)",
              "passed delays: freshness(PT6H) (newest row at 2024-03-02T18:00:00Z, PT6H before"
                  + " the end 2024-03-03T00:00:00Z)");

      // a delay in seconds: s1d of A reaches 3630 on the second day
      spark
          .createDataFrame(
              List.of(OfflineStoreTest.event("A", "2024-03-02T07:00:00Z", 3600)),
              OfflineStoreTest.SOURCE_SCHEMA)
          .write()
          .format("delta")
          .mode(SaveMode.Append)
          .save(sourcePath);
      assertThatThrownBy(() -> store.backfill("delays", d2, d2, format))
          .isInstanceOf(Quality.ExpectationFailedException.class)
          .hasMessage(
              "backfill of 'delays' stopped before writing anything: feature view 'delays'"
                  + " expects between(s1d, 0, 100), observed 2 of 8 values outside (min 5, max"
                  + " 3630)");
      assertThat(Tables.currentSnapshot(spark, first.table())).contains(first.snapshot());
      assertThat(registry.offlineTable("delays", 1).orElseThrow().snapshot())
          .isEqualTo(first.snapshot());
      List<RunRecord> runs =
          registry.runs().stream().filter(r -> r.job().equals(JobKind.BACKFILL)).toList();
      assertThat(runs.get(1).status()).isEqualTo(RunRecord.Status.FAILED);
      RunQuality failed = registry.quality(runs.get(1).id()).orElseThrow();
      assertThat(failed.snapshot()).isEqualTo(Optional.empty());
      assertThat(failed.blocking())
          .extracting(ExpectationResult::expectation)
          .containsExactly("between(s1d, 0, 100)");
      assertThat(registry.quality(RunQuality.Subject.view("delays", 1)))
          .extracting(RunQuality::runId)
          .containsExactly(runs.get(1).id(), runs.get(0).id());
    }
  }

  /** The same view without expectations: its rows are measured as they are written. */
  @ParameterizedTest
  @EnumSource(
      value = TableFormat.class,
      names = {"DELTA", "ICEBERG", "HUDI"})
  void withoutExpectationsTheWriteItselfIsMeasured(
      TableFormat format, SparkSession spark, @TempDir Path dir) {
    String sourcePath = dir.resolve("source").toString();
    Source source = firstEvents(spark, sourcePath);
    FeatureView plain = OfflineStoreTest.view(source);
    try (RegistryStore registry =
        JdbcRegistryStore.open(RegistryUrls.inMemory("w" + UUID.randomUUID()))) {
      registry.apply(
          Definitions.builder().addAll(OfflineStoreTest.AIRPORT, source, plain).build(),
          ApplyOptions.defaults());
      OfflineStore store =
          new OfflineStore(spark, registry, Warehouse.local(dir.resolve("warehouse-" + format)));
      long fallbacks = Quality.FALLBACKS.get();
      OfflineStore.BackfillResult r =
          store.backfill(
              "delays", LocalDate.parse("2024-03-01"), LocalDate.parse("2024-03-02"), format);
      assertThat(Quality.FALLBACKS.get())
          .as("Spark reported what the write observed")
          .isEqualTo(fallbacks);
      RunQuality q = registry.quality(r.run().id()).orElseThrow();
      assertThat(q.snapshot()).contains(r.snapshot());
      FeatureStatistics c6h = q.statistics("c6h").orElseThrow();
      assertThat(c6h.count()).isEqualTo(11);
      assertThat(c6h.mean()).isCloseTo(4.0 / 11, within(1e-12));
      assertThat(c6h.max()).isEqualTo(2.0);
      assertThat(q.statistics("s1d").orElseThrow().mean()).isCloseTo(230.0 / 11, within(1e-12));
      assertThat(q.expectations()).isEmpty();
      assertThat(q.statistics("s1d").orElseThrow().quantile(0.5)).isEqualTo(30.0);
    }
  }
}
