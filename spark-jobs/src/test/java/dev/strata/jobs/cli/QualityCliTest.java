package dev.strata.jobs.cli;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.dsl.Snapshot;
import dev.strata.offline.TableFormat;
import dev.strata.offline.Tables;
import dev.strata.offline.Warehouse;
import dev.strata.registry.jdbc.RegistryUrls;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Statistics and expectations through the CLI: a backfill records its statistics, {@code stats} and
 * {@code describe} show them, and when the delays switch to seconds a STRICT expectation stops the
 * next backfill with exit code 3 and one line, leaving the table at its version.
 */
class QualityCliTest {
  @TempDir Path dir;

  @AfterEach
  void clear() {
    System.clearProperty("strata.test.checked.path");
  }

  private static StrataCliTest.Result strata(String registry, String verb, String... rest) {
    return StrataCliTest.against(registry, verb, rest);
  }

  @Test
  void backfillRecordsStatisticsAndAStrictExpectationStopsTheNextOne() {
    String registry = RegistryUrls.embedded(dir.resolve("registry"));
    String warehouse = dir.resolve("warehouse").toString();
    SparkOptions options = new SparkOptions();
    options.warehouse = Warehouse.of(warehouse);
    SparkSession spark = options.session("test");
    // two days of the real flights from ATL and ORD
    String flights = dir.resolve("flights.parquet").toString();
    Dataset<Row> slice =
        spark
            .read()
            .parquet(TestRepositories.PATH)
            .filter(col("origin").isin("ATL", "ORD"))
            .filter(col("date").lt(lit(Timestamp.valueOf("2001-01-03 00:00:00"))))
            .cache();
    slice.write().parquet(flights);
    System.setProperty("strata.test.checked.path", flights);

    assertThat(strata(registry, "apply", "-r", "flights-checked").code()).isZero();
    String[] backfill = {
      "origin_delays", "--start", "2001-01-01", "--end", "2001-01-02", "--warehouse", warehouse
    };
    StrataCliTest.Result first = strata(registry, "backfill", backfill);
    assertThat(first.code()).as(first.err()).isZero();

    TableFormat delta = TableFormat.DELTA;
    String table = Warehouse.of(warehouse).resolve("offline", "delta", "origin_delays_v1");
    Snapshot committed = Tables.currentSnapshot(spark, delta.at(table)).orElseThrow();
    long rows = Tables.read(spark, delta.at(table), Optional.empty()).count();
    StrataCliTest.Result stats = strata(registry, "stats", "origin_delays");
    assertThat(stats.code()).as(stats.err()).isZero();
    assertThat(stats.out())
        .startsWith("feature_view:origin_delays@v1  run ")
        .contains("(strata.backfill, COMPLETED)")
        .contains(", snapshot " + committed)
        .contains("FEATURE", "P50", "DISTINCT")
        .containsPattern("max_delay_1d +INT64 +" + rows + " +0 ")
        .contains("passed origin_delays: between(max_delay_1d, -60, 1440)")
        .contains("warning origin_delays: rowCount().atLeast(1000000) (" + rows + " rows)")
        .contains("passed origin_delays: freshness(PT2H)");
    assertThat(strata(registry, "stats", "origin_delays", "--histograms").out())
        .contains("avg_delay_7d:\n  [");
    StrataCliTest.Result describe = strata(registry, "describe", "feature-view", "origin_delays");
    assertThat(describe.out())
        .contains("\"expectations\"")
        .contains("expectations:\n  (run ")
        .contains("  passed origin_delays: between(max_delay_1d, -60, 1440)");

    // the source's delays switch to seconds
    spark.read().parquet(flights).cache().count();
    slice
        .withColumn(
            "delay", col("delay").multiply(60).cast(slice.schema().apply("delay").dataType()))
        .write()
        .mode(SaveMode.Overwrite)
        .parquet(flights);
    StrataCliTest.Result stopped = strata(registry, "backfill", backfill);
    assertThat(stopped.code()).as(stopped.err()).isEqualTo(StrataCli.INVALID).isEqualTo(3);
    assertThat(stopped.err())
        .startsWith(
            "error: backfill of 'origin_delays' stopped before writing anything: feature view"
                + " 'origin_delays' expects between(max_delay_1d, -60, 1440), observed ")
        .contains(" values outside (min ")
        .hasLineCount(1);
    assertThat(Tables.currentSnapshot(spark, delta.at(table))).contains(committed);
    // stats still shows the committed run; the stopped one is there by its id
    assertThat(strata(registry, "stats", "origin_delays").out())
        .contains(", snapshot " + committed);
    assertThat(strata(registry, "describe", "feature-view", "origin_delays").out())
        .contains("FAILED origin_delays: between(max_delay_1d, -60, 1440)");
    assertThat(strata(registry, "stats", "no_such_view").code()).isEqualTo(StrataCli.NOT_FOUND);
    assertThat(strata(registry, "stats", "origin_delays", "--run", "nope").err())
        .contains("run 'nope' recorded no statistics");
  }
}
