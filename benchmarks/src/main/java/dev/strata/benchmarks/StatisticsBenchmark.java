package dev.strata.benchmarks;

import dev.strata.examples.flights.FlightsRepository;
import dev.strata.offline.OfflineStore;
import dev.strata.offline.StatisticsAggregator;
import dev.strata.offline.TableFormat;
import dev.strata.offline.Warehouse;
import dev.strata.registry.ApplyOptions;
import dev.strata.registry.FeatureStatistics;
import dev.strata.registry.RegistryStore;
import dev.strata.registry.RunQuality;
import dev.strata.registry.jdbc.JdbcRegistryStore;
import dev.strata.registry.jdbc.RegistryUrls;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * The cost of statistics: the full six-month backfill of both example views (no expectations: the
 * statistics are taken as the rows are written) into Delta with statistics (the default) and
 * without ({@link OfflineStore#withoutStatistics()}), alternately, three times each, in one
 * process; the best of each counts. Then the statistics the last run recorded are checked against
 * DuckDB over the same table files: counts, nulls, mean, sample standard deviation, min and max to
 * 1e-9, each approximate quantile between DuckDB's exact quantiles at its level plus and minus
 * twice the sketch's rank error, the distinct count within 5%.
 *
 * <p>{@code benchmarks/run.sh statistics [--data PATH] [--rounds N]}
 */
public final class StatisticsBenchmark {
  private StatisticsBenchmark() {}

  public static void main(String[] args) throws Exception {
    String data = "data/full/flights-3m.parquet";
    String out = "benchmarks/results/statistics.md";
    int rounds = 3;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--data" -> data = args[++i];
        case "--out" -> out = args[++i];
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    Path work = Files.createTempDirectory("strata-statistics-bench");
    SparkSession spark =
        Harness.session(
            work,
            "strata-statistics-benchmark",
            Map.of("spark.databricks.delta.snapshotPartitions", "2"));
    LocalDate[] days = Harness.days(spark, data);
    List<String> views = List.of("origin_delays", "route_stats");
    List<String> report = new ArrayList<>();
    boolean ok = true;
    try (RegistryStore registry =
        JdbcRegistryStore.open(RegistryUrls.embedded(work.resolve("registry")))) {
      registry.apply(
          FlightsRepository.definitions(Path.of(data).toAbsolutePath().toString()),
          ApplyOptions.defaults());
      // warm-up: JIT and Spark's first-job costs do not count
      store(spark, registry, work, "warm-up", true)
          .backfill("origin_delays", days[0].plusDays(3), days[0].plusDays(4), TableFormat.DELTA);

      double[][] best = {
        {Double.MAX_VALUE, Double.MAX_VALUE}, {Double.MAX_VALUE, Double.MAX_VALUE}
      };
      List<String> runs = new ArrayList<>();
      OfflineStore.BackfillResult last = null;
      for (int round = 0; round < rounds; round++) {
        for (int mode = 0; mode < 2; mode++) {
          boolean stats = mode == 1;
          OfflineStore store =
              store(spark, registry, work, "r" + round + (stats ? "-stats" : "-plain"), stats);
          StringBuilder line =
              new StringBuilder("| " + (round + 1) + " | " + (stats ? "on" : "off"));
          for (int v = 0; v < views.size(); v++) {
            long t0 = System.nanoTime();
            OfflineStore.BackfillResult r =
                store.backfill(views.get(v), days[0], days[1], TableFormat.DELTA);
            double s = (System.nanoTime() - t0) / 1e9;
            best[v][mode] = Math.min(best[v][mode], s);
            line.append(String.format(Locale.ROOT, " | %.1f (%d rows)", s, r.rows()));
            if (stats && v == 0) {
              last = r;
            }
          }
          runs.add(line.append(" |").toString());
        }
      }
      double plain = best[0][0] + best[1][0];
      double withStats = best[0][1] + best[1][1];
      double ratio = withStats / plain;
      report.add("# Statistics overhead on the full backfill");
      report.add("");
      report.add(
          "Command: `benchmarks/run.sh statistics` on "
              + Instant.now()
              + "; "
              + data
              + " ("
              + days[0]
              + ".."
              + days[1]
              + "), Spark local[2], "
              + Runtime.getRuntime().availableProcessors()
              + " cores, Delta. Wall seconds of `OfflineStore.backfill` of both example views"
              + " (which have no expectations) with statistics (taken as the rows are written, by"
              + " an accumulator that the write's own tasks fill: one pass) and without,"
              + " alternately, "
              + rounds
              + " times each; the best of each counts.");
      report.add("");
      report.add("| round | statistics | origin_delays s | route_stats s |");
      report.add("|---|---|---|---|");
      report.addAll(runs);
      report.add("");
      report.add(
          String.format(
              Locale.ROOT,
              "Best: without %.1f s, with %.1f s: **%.2fx** (goal: at most 1.15x) -- %s.",
              plain,
              withStats,
              ratio,
              ratio <= 1.15 ? "met" : "missed"));
      report.add("");

      // the recorded statistics against DuckDB over the table's files
      RunQuality q = registry.quality(last.run().id()).orElseThrow();
      String files = Path.of(URI.create(last.table().location())) + "/**/*.parquet";
      report.add("## origin_delays' recorded statistics against DuckDB");
      report.add("");
      report.add("| feature | count | nulls | mean | stddev | min | max | quantiles | distinct |");
      report.add("|---|---|---|---|---|---|---|---|---|");
      double rankError = StatisticsAggregator.quantileRankError();
      try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
          Statement s = c.createStatement()) {
        for (FeatureStatistics f : q.statistics()) {
          String x = f.feature() + "::DOUBLE";
          StringBuilder sql =
              new StringBuilder(
                  "SELECT count(*), count(*) - count("
                      + x
                      + "), avg("
                      + x
                      + "), stddev_samp("
                      + x
                      + "), min("
                      + x
                      + "), max("
                      + x
                      + "), count(DISTINCT "
                      + x
                      + ")");
          for (double level : FeatureStatistics.QUANTILES) {
            sql.append(", quantile_disc(")
                .append(x)
                .append(", ")
                .append(Math.max(0, level - 2 * rankError))
                .append(")");
            sql.append(", quantile_disc(")
                .append(x)
                .append(", ")
                .append(Math.min(1, level + 2 * rankError))
                .append(")");
          }
          sql.append(" FROM read_parquet('").append(files).append("')");
          try (ResultSet rs = s.executeQuery(sql.toString())) {
            rs.next();
            boolean count = rs.getLong(1) == f.count();
            boolean nulls = rs.getLong(2) == f.nulls();
            boolean mean = close(rs.getDouble(3), f.mean());
            boolean sd = close(rs.getDouble(4), f.stddev());
            boolean min = rs.getDouble(5) == f.min();
            boolean max = rs.getDouble(6) == f.max();
            boolean quantiles = true;
            for (int i = 0; i < FeatureStatistics.QUANTILES.size(); i++) {
              double v = f.quantiles().get(i);
              quantiles &= rs.getDouble(8 + 2 * i) <= v && v <= rs.getDouble(9 + 2 * i);
            }
            long exact = rs.getLong(7);
            boolean distinct = Math.abs(f.approxDistinct() - exact) <= 0.05 * exact;
            boolean all = count && nulls && mean && sd && min && max && quantiles && distinct;
            ok &= all;
            report.add(
                "| "
                    + f.feature()
                    + " | "
                    + mark(count)
                    + " | "
                    + mark(nulls)
                    + " | "
                    + mark(mean)
                    + " | "
                    + mark(sd)
                    + " | "
                    + mark(min)
                    + " | "
                    + mark(max)
                    + " | "
                    + mark(quantiles)
                    + " | "
                    + f.approxDistinct()
                    + " vs "
                    + exact
                    + " "
                    + mark(distinct)
                    + " |");
          }
        }
      }
      report.add("");
      report.add(
          String.format(
              Locale.ROOT,
              "Quantiles: KLL sketch of %d items, normalized rank error %.4f; each reported"
                  + " quantile lies between DuckDB's exact quantile_disc at its level -/+ twice"
                  + " that. %s",
              StatisticsAggregator.KLL_K,
              rankError,
              ok ? "Every check passed." : "SOME CHECKS FAILED."));
    }
    Harness.report(out, report);
    spark.stop();
    if (!ok) {
      System.err.println("the recorded statistics disagree with DuckDB; see " + out);
      System.exit(1);
    }
  }

  private static OfflineStore store(
      SparkSession spark, RegistryStore registry, Path work, String name, boolean statistics) {
    OfflineStore s = new OfflineStore(spark, registry, Warehouse.local(work.resolve("wh-" + name)));
    return statistics ? s : s.withoutStatistics();
  }

  private static boolean close(double a, Double b) {
    return b != null && Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a));
  }

  private static String mark(boolean ok) {
    return ok ? "ok" : "MISMATCH";
  }
}
