package dev.strata.benchmarks;

import dev.strata.dsl.Feature;
import dev.strata.dsl.FeatureView;
import dev.strata.examples.flights.FlightsRepository;
import dev.strata.offline.OfflineStore;
import dev.strata.offline.TableFormat;
import dev.strata.offline.Tables;
import dev.strata.offline.Warehouse;
import dev.strata.registry.ApplyOptions;
import dev.strata.registry.RegistryStore;
import dev.strata.registry.jdbc.JdbcRegistryStore;
import dev.strata.registry.jdbc.RegistryUrls;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * {@code strata backfill} of the two example views against DuckDB computing the same values at the
 * same cadence points, in the same process: on the 21-day sample and on the full six months, into
 * Delta, Iceberg and Hudi; then the growth of a Delta backfill over 1, 2, 4 and 8 weeks of the full
 * data. Every Strata table is read back and compared with DuckDB's result (row count, and per
 * feature the sum and the non-null count) before its time counts. Writes a Markdown report.
 *
 * <p>{@code benchmarks/run.sh backfill [--sample PATH] [--data PATH] [--formats
 * delta,iceberg,hudi]}
 *
 * <p>One scenario from data to report file, like the other benchmarks, hence its length (over 400
 * lines, most of them the two views' DuckDB queries and the report).
 *
 * <p>DuckDB's plan: the cadence points are generated per key from the distinct event buckets (each
 * bucket covers the points up to the next bucket or the longest window), then every window is a
 * RANGE frame {@code [t - w, t)} over the union of events and points, evaluated at the points.
 */
public final class BackfillBenchmark {
  private static final long HOUR = 3_600_000_000L;
  private static final long DAY = 24 * HOUR;

  private final SparkSession spark;
  private final Path work;
  private final List<String> report = new ArrayList<>();
  private final List<String> checks = new ArrayList<>();
  private boolean allMatch = true;

  private BackfillBenchmark(SparkSession spark, Path work) {
    this.spark = spark;
    this.work = work;
  }

  public static void main(String[] args) throws Exception {
    String sample = "data/flights-sample.parquet";
    String data = "data/full/flights-3m.parquet";
    String out = "benchmarks/results/backfill.md";
    List<TableFormat> formats = List.of(TableFormat.DELTA, TableFormat.ICEBERG, TableFormat.HUDI);
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--sample" -> sample = args[++i];
        case "--data" -> data = args[++i];
        case "--out" -> out = args[++i];
        case "--formats" ->
            formats =
                java.util.Arrays.stream(args[++i].split(","))
                    .map(f -> TableFormat.valueOf(f.trim().toUpperCase(Locale.ROOT)))
                    .toList();
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    Path work = Files.createTempDirectory("strata-backfill-bench");
    // the settings `strata backfill` uses on one machine (SparkOptions)
    SparkSession spark =
        Harness.session(
            work,
            "strata-backfill-benchmark",
            Map.of("spark.databricks.delta.snapshotPartitions", "2"));
    BackfillBenchmark b = new BackfillBenchmark(spark, work);
    b.run(sample, data, formats, String.join(" ", args));
    Harness.report(out, b.report);
    spark.stop();
    if (!b.allMatch) {
      System.err.println("Strata and DuckDB disagree; see the checks in " + out);
      System.exit(1);
    }
  }

  /** One backfill: the seconds it took and the check line of what it wrote. */
  private int duckOutputs;

  record Measured(double seconds, long rows, String checks) {}

  private void run(String sample, String data, List<TableFormat> formats, String args)
      throws Exception {
    report.add("# Backfills against DuckDB");
    report.add("");
    report.add(
        "Command: `benchmarks/run.sh backfill"
            + (args.isEmpty() ? "" : " " + args)
            + "` on "
            + Instant.now()
            + "; Spark local[2], DuckDB threads=2, "
            + Runtime.getRuntime().availableProcessors()
            + " cores. Wall seconds of one run of `OfflineStore.backfill` (what `strata backfill`"
            + " runs after its JVM and SparkSession start): the source read, the sweep, the table"
            + " commit, the registry records. DuckDB computes the same rows from the same Parquet"
            + " file and writes them as a Parquet file. Each Strata table is read back and checked against DuckDB"
            + " (row count, per feature sum and non-null count) before its time counts.");
    report.add("");
    Map<String, List<String>> lines = new LinkedHashMap<>();

    // warm-up: JIT and Spark's first-job costs do not count
    try (RegistryStore registry = registry("warm-up", sample)) {
      LocalDate first = Harness.days(spark, sample)[0];
      for (TableFormat f : formats) {
        store(registry, "warm-up-" + f.label())
            .backfill("origin_delays", first.plusDays(3), first.plusDays(4), f);
      }
    }

    report.add("## Backfill of each example view, per format, and DuckDB");
    report.add("");
    StringBuilder header = new StringBuilder("| data | view | days | rows |");
    StringBuilder rule = new StringBuilder("|---|---|---|---|");
    for (TableFormat f : formats) {
      header.append(' ').append(f.label()).append(" s |");
      rule.append("---|");
    }
    header.append(" DuckDB s | delta / DuckDB |");
    rule.append("---|---|");
    for (TableFormat f : formats) {
      if (f != TableFormat.DELTA) {
        header.append(' ').append(f.label()).append(" / delta |");
        rule.append("---|");
      }
    }
    report.add(header.toString());
    report.add(rule.toString());
    for (String[] dataset : List.of(new String[] {"sample", sample}, new String[] {"full", data})) {
      LocalDate[] days = Harness.days(spark, dataset[1]);
      Map<TableFormat, Double> totals = new LinkedHashMap<>();
      double duckTotal = 0;
      long rowsTotal = 0;
      try (RegistryStore registry = registry(dataset[0], dataset[1])) {
        for (String view : List.of("origin_delays", "route_stats")) {
          FeatureView v = registry.featureView(view).orElseThrow();
          Measured duck = duck(v, dataset[1], days[0], days[1]);
          Map<TableFormat, Measured> strata = new LinkedHashMap<>();
          for (TableFormat f : formats) {
            Measured m = strata(registry, dataset[0] + "-" + f.label(), v, days[0], days[1], f);
            strata.put(f, m);
            totals.merge(f, m.seconds(), Double::sum);
            check(dataset[0] + " " + view + " " + f.label(), m, duck);
          }
          duckTotal += duck.seconds();
          rowsTotal += duck.rows();
          report.add(row(dataset[0], view, days, duck.rows(), strata, duck.seconds()));
        }
      }
      Map<TableFormat, Measured> sums = new LinkedHashMap<>();
      totals.forEach((f, s) -> sums.put(f, new Measured(s, 0, "")));
      report.add(row(dataset[0], "**both views**", days, rowsTotal, sums, duckTotal));
    }
    report.add("");

    growth(data, formats.get(0));

    report.add(
        "## Output checks (each engine's row count, and sum and non-null count per feature)");
    report.add("");
    report.add("```");
    report.addAll(checks);
    report.add("```");
  }

  private void growth(String data, TableFormat format) throws Exception {
    report.add(
        "## Growth: "
            + format.label()
            + " backfills of both views over 1, 2, 4 and 8 weeks of the full data from"
            + " its first day");
    report.add("");
    report.add("| weeks | rows | Strata s | DuckDB s | vs previous size (Strata) |");
    report.add("|---|---|---|---|---|");
    LocalDate first = Harness.days(spark, data)[0];
    double previous = 0;
    try (RegistryStore registry = registry("growth", data)) {
      for (int weeks : new int[] {1, 2, 4, 8}) {
        LocalDate last = first.plusWeeks(weeks).minusDays(1);
        double seconds = 0;
        double duckSeconds = 0;
        long rows = 0;
        for (String view : List.of("origin_delays", "route_stats")) {
          FeatureView v = registry.featureView(view).orElseThrow();
          Measured m = strata(registry, "growth-" + weeks, v, first, last, format);
          Measured d = duck(v, data, first, last);
          check("growth " + weeks + "w " + view, m, d);
          seconds += m.seconds();
          duckSeconds += d.seconds();
          rows += m.rows();
        }
        report.add(
            "| "
                + weeks
                + " | "
                + rows
                + " | "
                + fmt(seconds)
                + " | "
                + fmt(duckSeconds)
                + " | "
                + (previous == 0 ? "" : String.format(Locale.ROOT, "%.2f x", seconds / previous))
                + " |");
        previous = seconds;
      }
    }
    report.add("");
  }

  // ------------------------------------------------------------------ engines

  private RegistryStore registry(String name, String data) {
    RegistryStore r =
        JdbcRegistryStore.open(RegistryUrls.embedded(work.resolve("registry-" + name)));
    r.apply(
        FlightsRepository.definitions(Path.of(data).toAbsolutePath().toString()),
        ApplyOptions.defaults());
    return r;
  }

  private OfflineStore store(RegistryStore registry, String warehouse) {
    return new OfflineStore(spark, registry, Warehouse.local(work.resolve("wh-" + warehouse)));
  }

  private Measured strata(
      RegistryStore registry,
      String warehouse,
      FeatureView view,
      LocalDate from,
      LocalDate to,
      TableFormat format) {
    long t0 = System.nanoTime();
    OfflineStore.BackfillResult r =
        store(registry, warehouse).backfill(view.name(), from, to, format);
    double seconds = (System.nanoTime() - t0) / 1e9;
    Dataset<Row> written = Tables.read(spark, r.table(), java.util.Optional.of(r.snapshot()));
    String checks = Harness.checks(written, view.features().stream().map(Feature::name).toList());
    if (!checks.startsWith("rows=" + r.rows() + " ")) {
      throw new IllegalStateException(
          "the backfill said " + r.rows() + " rows, its table holds: " + checks);
    }
    return new Measured(seconds, r.rows(), checks);
  }

  /** DuckDB's rows of a view over the days {@code [from, to]}, written as a Parquet file. */
  private Measured duck(FeatureView view, String data, LocalDate from, LocalDate to)
      throws SQLException {
    long start = from.toEpochDay() * DAY;
    long end = (to.toEpochDay() + 1) * DAY - 1;
    String sql =
        switch (view.name()) {
          case "origin_delays" -> originDelaysSql(data, start, end);
          case "route_stats" -> routeStatsSql(data, start, end);
          default -> throw new IllegalArgumentException(view.name());
        };
    Harness.Duck d =
        Harness.duckdb(
            work.resolve("duckdb-" + (duckOutputs++) + ".parquet"),
            sql,
            view.features().stream().map(Feature::name).toList());
    return new Measured(d.seconds(), d.rows(), d.checks());
  }

  /**
   * The events in the lookback of {@code [start, end]}, the cadence points of each key (every
   * aligned point in the range with an event in {@code [p - longest, p)}), and their union.
   */
  private static String union(
      String data, String keys, String values, long start, long end, long every, long longest) {
    return "WITH ev AS (SELECT "
        + keys
        + ", epoch_us(date) AS t, "
        + values
        + " FROM read_parquet('"
        + data
        + "') WHERE date IS NOT NULL AND "
        + keys.replace(",", " IS NOT NULL AND ")
        + " IS NOT NULL AND epoch_us(date) >= "
        + (start - longest)
        + " AND epoch_us(date) <= "
        + end
        + "), buckets AS (SELECT "
        + keys
        + ", h, lead(h) OVER (PARTITION BY "
        + keys
        + " ORDER BY h) AS h2 FROM (SELECT DISTINCT "
        + keys
        + ", t // "
        + every
        + " * "
        + every
        + " AS h FROM ev)), pts AS (SELECT "
        + keys
        + ", unnest(generate_series(h + "
        + every
        + ", least(h + "
        + longest
        + ", coalesce(h2, h + "
        + longest
        + ")), "
        + every
        + ")) AS t FROM buckets), u AS (SELECT "
        + keys
        + ", t, 0 AS q, "
        + values
        + " FROM ev UNION ALL SELECT "
        + keys
        + ", t, 1 AS q, "
        + nulls(values)
        + " FROM pts WHERE t >= "
        + start
        + " AND t <= "
        + end
        + ")";
  }

  private static String nulls(String values) {
    List<String> n = new ArrayList<>();
    for (String v : values.split(",")) {
      n.add("NULL AS " + v.trim());
    }
    return String.join(", ", n);
  }

  private static String frame(String keys, long w) {
    return "(PARTITION BY "
        + keys
        + " ORDER BY t RANGE BETWEEN "
        + w
        + " PRECEDING AND 1 PRECEDING)";
  }

  private static String originDelaysSql(String data, long start, long end) {
    String k = "origin";
    return union(data, k, "delay", start, end, HOUR, 7 * DAY)
        + " SELECT origin, make_timestamp(t) AS feature_timestamp,"
        + " avg(delay) OVER "
        + frame(k, HOUR)
        + " AS avg_delay_1h, avg(delay) OVER "
        + frame(k, DAY)
        + " AS avg_delay_1d, avg(delay) OVER "
        + frame(k, 7 * DAY)
        + " AS avg_delay_7d, count(CASE WHEN q = 0 THEN 1 END) OVER "
        + frame(k, HOUR)
        + " AS flights_1h, count(CASE WHEN q = 0 THEN 1 END) OVER "
        + frame(k, DAY)
        + " AS flights_1d, count(CASE WHEN q = 0 THEN 1 END) OVER "
        + frame(k, 7 * DAY)
        + " AS flights_7d, avg(CASE WHEN q = 0 THEN (CASE WHEN delay > 15 THEN 1.0 ELSE 0.0 END)"
        + " END) OVER "
        + frame(k, DAY)
        + " AS late_share_1d, max(delay) OVER "
        + frame(k, DAY)
        + " AS max_delay_1d, stddev_samp(delay) OVER "
        + frame(k, 7 * DAY)
        + " AS stddev_delay_7d, q FROM u QUALIFY q = 1";
  }

  private static String routeStatsSql(String data, long start, long end) {
    String k = "origin, destination";
    return union(data, k, "delay, distance", start, end, DAY, 30 * DAY)
        + " SELECT origin, destination, make_timestamp(t) AS feature_timestamp,"
        + " avg(delay) OVER "
        + frame(k, 7 * DAY)
        + " AS route_avg_delay_7d, count(CASE WHEN q = 0 THEN 1 END) OVER "
        + frame(k, 7 * DAY)
        + " AS route_flights_7d, avg(CASE WHEN q = 0 THEN (CASE WHEN delay > 15 THEN 1.0 ELSE"
        + " 0.0 END) END) OVER "
        + frame(k, 30 * DAY)
        + " AS route_late_share_30d, arg_max(distance, CASE WHEN distance IS NOT NULL THEN t END)"
        + " OVER "
        + frame(k, 30 * DAY)
        + " AS route_distance, q FROM u QUALIFY q = 1";
  }

  // ------------------------------------------------------------------ report

  private void check(String what, Measured strata, Measured duck) {
    boolean same = Harness.agree(strata.checks(), duck.checks());
    allMatch &= same;
    checks.add(
        (same ? "ok   " : "DIFF ")
            + what
            + ": strata "
            + strata.checks()
            + " | duckdb "
            + duck.checks());
  }

  private static String row(
      String data,
      String view,
      LocalDate[] days,
      long rows,
      Map<TableFormat, Measured> strata,
      double duck) {
    StringBuilder sb =
        new StringBuilder("| ")
            .append(data)
            .append(" | ")
            .append(view)
            .append(" | ")
            .append(days[1].toEpochDay() - days[0].toEpochDay() + 1)
            .append(" | ")
            .append(rows)
            .append(" |");
    for (Measured m : strata.values()) {
      sb.append(' ').append(fmt(m.seconds())).append(" |");
    }
    Measured delta = strata.get(TableFormat.DELTA);
    sb.append(' ').append(fmt(duck)).append(" | ");
    sb.append(delta == null ? "-" : String.format(Locale.ROOT, "%.2f", delta.seconds() / duck));
    sb.append(" |");
    for (Map.Entry<TableFormat, Measured> e : strata.entrySet()) {
      if (e.getKey() != TableFormat.DELTA) {
        sb.append(' ')
            .append(
                delta == null
                    ? "-"
                    : String.format(Locale.ROOT, "%.2f", e.getValue().seconds() / delta.seconds()))
            .append(" |");
      }
    }
    return sb.toString();
  }

  private static String fmt(double s) {
    return String.format(Locale.ROOT, "%.1f", s);
  }
}
