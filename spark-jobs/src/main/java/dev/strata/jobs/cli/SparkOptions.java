package dev.strata.jobs.cli;

import dev.strata.offline.StrataSpark;
import dev.strata.offline.Warehouse;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Option;

/**
 * The SparkSession of a job. Under spark-submit the master and every setting come from
 * spark-submit; run directly, the job uses {@code local[*]} (or {@code --master}).
 */
final class SparkOptions {
  @Option(
      names = "--warehouse",
      paramLabel = "URI",
      converter = WarehouseConverter.class,
      description =
          "Where offline tables live: a directory, or a URI such as s3a://bucket/strata or"
              + " hdfs://nn/strata (default: .strata/warehouse).")
  Warehouse warehouse = Warehouse.of(".strata/warehouse");

  /** A warehouse that is not a URI or a path is bad usage. */
  static final class WarehouseConverter implements picocli.CommandLine.ITypeConverter<Warehouse> {
    @Override
    public Warehouse convert(String value) {
      try {
        return Warehouse.of(value);
      } catch (IllegalArgumentException e) {
        throw new picocli.CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }

  @Option(
      names = "--master",
      paramLabel = "URL",
      description = "Spark master when not run by spark-submit (default: local[*]).")
  String master;

  @Option(
      names = "--conf",
      paramLabel = "KEY=VALUE",
      description = {
        "A Spark setting for a session this job starts, as spark-submit's --conf;",
        "e.g. spark.hadoop.fs.s3a.endpoint=http://minio:9000 for an s3a:// warehouse."
      })
  java.util.Map<String, String> conf = new java.util.LinkedHashMap<>();

  /**
   * Runs {@code work} while its progress (phases, tasks, rows, time) goes to standard error: one
   * rewritten line on a terminal, plain lines otherwise.
   */
  static <T> T reported(SparkSession spark, String job, java.util.function.Supplier<T> work) {
    dev.strata.offline.Progress p =
        dev.strata.offline.Progress.start(
            spark, job, System.err, dev.strata.offline.Progress.terminal());
    boolean succeeded = false;
    try {
      T result = work.get();
      succeeded = true;
      return result;
    } finally {
      p.end(succeeded); // a failed job ends with its error line, not with "done"
    }
  }

  SparkSession session(String job) {
    return session(job, java.util.Map.of());
  }

  /** With extra settings (e.g. the GPU plugin's), which apply only to a session this job starts. */
  SparkSession session(String job, java.util.Map<String, String> extra) {
    SparkConf conf = new SparkConf(true);
    SparkSession.Builder b =
        StrataSpark.configure(SparkSession.builder(), warehouse).appName("strata " + job);
    for (java.util.Map.Entry<String, String> e : this.conf.entrySet()) {
      b = b.config(e.getKey(), e.getValue());
    }
    for (java.util.Map.Entry<String, String> e : extra.entrySet()) {
      b = b.config(e.getKey(), e.getValue());
    }
    if (master != null) {
      b = b.master(master);
    } else if (!conf.contains("spark.master")) {
      // one machine: Delta rebuilds a table's state with as many tasks as there are cores, not
      // its cluster default of 50 (3 s of a one-day backfill on 2 cores went to those tasks)
      b =
          b.master("local[*]")
              .config("spark.ui.enabled", "false")
              .config("spark.driver.host", "127.0.0.1")
              .config(
                  "spark.databricks.delta.snapshotPartitions",
                  Integer.toString(Runtime.getRuntime().availableProcessors()));
    }
    return b.getOrCreate();
  }
}
