package dev.strata.benchmarks;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;

import dev.strata.offline.StrataSpark;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * What the benchmarks share: their local SparkSession, their report file, DuckDB runs written as
 * Parquet, and the output checks by which engines are compared (row count, and per feature the sum
 * and the non-null count).
 */
final class Harness {
  private Harness() {}

  /** A DuckDB run: seconds, rows, and its check line. */
  record Duck(double seconds, long rows, String checks) {}

  /** Spark local[2] with Strata's settings, a warehouse under {@code work}, and {@code extra}. */
  static SparkSession session(Path work, String app, Map<String, String> extra) {
    SparkSession.Builder b =
        StrataSpark.configure(SparkSession.builder(), work.resolve("warehouse"))
            .master("local[2]")
            .appName(app)
            .config("spark.ui.enabled", "false")
            .config("spark.driver.host", "127.0.0.1");
    for (Map.Entry<String, String> e : extra.entrySet()) {
      b = b.config(e.getKey(), e.getValue());
    }
    SparkSession spark = b.getOrCreate();
    spark.sparkContext().setLogLevel("ERROR");
    return spark;
  }

  /** The first and the last UTC day of the flights in {@code data}. */
  static LocalDate[] days(SparkSession spark, String data) {
    Row r =
        spark
            .read()
            .parquet(data)
            .selectExpr(
                "cast(min(cast(date as date)) as string)",
                "cast(max(cast(date as date)) as string)")
            .first();
    return new LocalDate[] {LocalDate.parse(r.getString(0)), LocalDate.parse(r.getString(1))};
  }

  /** Writes the report to {@code out} and prints it. */
  static void report(String out, List<String> lines) throws IOException {
    Files.createDirectories(Path.of(out).toAbsolutePath().getParent());
    Files.writeString(Path.of(out), String.join("\n", lines) + "\n");
    System.out.println(String.join("\n", lines));
  }

  /** The check line of a Spark result. */
  static String checks(Dataset<Row> d, List<String> features) {
    List<Column> aggs = new ArrayList<>();
    for (String f : features) {
      aggs.add(sum(col("`" + f + "`").cast("double")));
      aggs.add(count(col("`" + f + "`")));
    }
    Row r = d.agg(count(lit(1)), aggs.toArray(Column[]::new)).first();
    StringBuilder sb = new StringBuilder("rows=" + r.getLong(0));
    for (int i = 0; i < features.size(); i++) {
      sb.append(
          item(
              features.get(i),
              r.isNullAt(1 + 2 * i) ? 0.0 : r.getDouble(1 + 2 * i),
              r.getLong(2 + 2 * i)));
    }
    return sb.toString();
  }

  /**
   * Runs {@code sql} in DuckDB (2 threads, UTC) and writes its result to {@code file} as Parquet,
   * as Strata writes its output; the seconds are the query and the write, the checks are read back.
   */
  static Duck duckdb(Path file, String sql, List<String> features) throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement s = c.createStatement()) {
      s.execute("SET threads = 2");
      s.execute("SET TimeZone = 'UTC'");
      long t0 = System.nanoTime();
      s.execute("COPY (" + sql + ") TO '" + file + "' (FORMAT PARQUET)");
      double seconds = (System.nanoTime() - t0) / 1e9;
      StringBuilder q = new StringBuilder("SELECT count(*)");
      for (String f : features) {
        q.append(", sum(").append(f).append("::DOUBLE), count(").append(f).append(")");
      }
      try (ResultSet rs = s.executeQuery(q + " FROM read_parquet('" + file + "')")) {
        rs.next();
        StringBuilder sb = new StringBuilder("rows=" + rs.getLong(1));
        for (int i = 0; i < features.size(); i++) {
          sb.append(item(features.get(i), rs.getDouble(2 + 2 * i), rs.getLong(3 + 2 * i)));
        }
        return new Duck(seconds, rs.getLong(1), sb.toString());
      }
    }
  }

  /** The same counts, and sums equal to 1e-6 relative (check lines print 7 significant digits). */
  static boolean agree(String a, String b) {
    String[] x = a.split(" ");
    String[] y = b.split(" ");
    if (x.length != y.length) {
      return false;
    }
    for (int i = 0; i < x.length; i++) {
      String[] p = x[i].split("=");
      String[] q = y[i].split("=");
      if (!p[0].equals(q[0])) {
        return false;
      }
      double u = Double.parseDouble(p[1]);
      double v = Double.parseDouble(q[1]);
      if (Math.abs(u - v) > 2e-6 * Math.max(Math.abs(u), Math.abs(v))) {
        return false;
      }
    }
    return true;
  }

  private static String item(String feature, double sum, long nonNull) {
    return String.format(Locale.ROOT, " sum(%s)=%.6e nonnull=%d", feature, sum, nonNull);
  }
}
