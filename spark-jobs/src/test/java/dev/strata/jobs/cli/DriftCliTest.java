package dev.strata.jobs.cli;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;
import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.offline.Warehouse;
import dev.strata.registry.jdbc.RegistryUrls;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Drift injected into a copy of the flights sample (every delay from 2001-01-15 on multiplied by
 * 60, as if the column switched to seconds): {@code strata drift} of the third week against the
 * second flags exactly the features computed from the delay, not the flight counts or the route
 * distance, and exits with code 7.
 */
class DriftCliTest {
  @TempDir Path dir;
  private final String saved = System.getProperty("strata.flights.path");

  @AfterEach
  void restore() {
    if (saved == null) {
      System.clearProperty("strata.flights.path");
    } else {
      System.setProperty("strata.flights.path", saved);
    }
  }

  private static StrataCliTest.Result strata(String registry, String verb, String... rest) {
    return StrataCliTest.against(registry, verb, rest);
  }

  /** FEATURE -> "DRIFT" or "ok", from the command's table. */
  private static Map<String, String> verdicts(String out) {
    Map<String, String> m = new LinkedHashMap<>();
    for (String line : out.split("\n")) {
      String[] cells = line.trim().split(" +");
      if (cells.length == 7 && !cells[0].equals("FEATURE")) {
        m.put(cells[0], cells[6]);
      }
    }
    return m;
  }

  @Test
  void delaysInSecondsFromOneDateOnDriftExactlyTheDelayFeatures() {
    String registry = RegistryUrls.embedded(dir.resolve("registry"));
    String warehouse = dir.resolve("warehouse").toString();
    SparkOptions options = new SparkOptions();
    options.warehouse = Warehouse.of(warehouse);
    SparkSession spark = options.session("test");
    String drifted = dir.resolve("drifted.parquet").toString();
    Dataset<Row> sample = spark.read().parquet(TestRepositories.PATH);
    sample
        .withColumn(
            "delay",
            when(
                    col("date").geq(lit(Timestamp.valueOf("2001-01-15 00:00:00"))),
                    col("delay").multiply(60))
                .otherwise(col("delay"))
                .cast(sample.schema().apply("delay").dataType()))
        .write()
        .parquet(drifted);
    System.setProperty("strata.flights.path", drifted);

    assertThat(strata(registry, "apply", "-r", "flights").code()).isZero();
    for (String view : List.of("origin_delays", "route_stats")) {
      StrataCliTest.Result b =
          strata(
              registry,
              "backfill",
              view,
              "--start",
              "2001-01-01",
              "--end",
              "2001-01-21",
              "--warehouse",
              warehouse);
      assertThat(b.code()).as(b.err()).isZero();
    }
    String[] windows = {
      "--reference-start",
      "2001-01-08",
      "--reference-end",
      "2001-01-14",
      "--start",
      "2001-01-15",
      "--end",
      "2001-01-21",
      "--warehouse",
      warehouse
    };
    List<String> args = new ArrayList<>(List.of("origin_delays"));
    args.addAll(List.of(windows));
    StrataCliTest.Result origin = strata(registry, "drift", args.toArray(String[]::new));
    assertThat(origin.code())
        .as(origin.out() + origin.err())
        .isEqualTo(StrataCli.DRIFT)
        .isEqualTo(7);
    assertThat(verdicts(origin.out()))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "avg_delay_1h", "DRIFT",
                "avg_delay_1d", "DRIFT",
                "avg_delay_7d", "DRIFT",
                "late_share_1d", "DRIFT",
                "max_delay_1d", "DRIFT",
                "stddev_delay_7d", "DRIFT",
                "flights_1h", "ok",
                "flights_1d", "ok",
                "flights_7d", "ok"));
    assertThat(origin.out()).contains("6 of 9 features drifted");

    args.set(0, "route_stats");
    StrataCliTest.Result route = strata(registry, "drift", args.toArray(String[]::new));
    assertThat(route.code()).as(route.out() + route.err()).isEqualTo(7);
    assertThat(verdicts(route.out()))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "route_avg_delay_7d", "DRIFT",
                "route_late_share_30d", "DRIFT",
                "route_flights_7d", "ok",
                "route_distance", "ok"));

    // the same week as reference and current: nothing drifts, exit 0
    StrataCliTest.Result same =
        strata(
            registry,
            "drift",
            "route_stats",
            "--reference-start",
            "2001-01-08",
            "--reference-end",
            "2001-01-14",
            "--start",
            "2001-01-08",
            "--end",
            "2001-01-14",
            "--warehouse",
            warehouse);
    assertThat(same.code()).as(same.out() + same.err()).isZero();
    assertThat(same.out()).contains("0 of 4 features drifted");

    StrataCliTest.Result noReference =
        strata(registry, "drift", "route_stats", "--start", "2001-01-08", "--end", "2001-01-14");
    assertThat(noReference.code()).isEqualTo(StrataCli.USAGE);
    assertThat(noReference.err())
        .contains("give the reference as --reference-start and --reference-end, or as");
  }
}
