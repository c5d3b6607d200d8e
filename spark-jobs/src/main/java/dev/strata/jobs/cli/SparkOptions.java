package dev.strata.jobs.cli;

import dev.strata.offline.StrataSpark;
import java.nio.file.Path;
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
      paramLabel = "DIR",
      description = "Where offline tables live (default: .strata/warehouse).")
  Path warehouse = Path.of(".strata", "warehouse");

  @Option(
      names = "--master",
      paramLabel = "URL",
      description = "Spark master when not run by spark-submit (default: local[*]).")
  String master;

  SparkSession session(String job) {
    return session(job, java.util.Map.of());
  }

  /** With extra settings (e.g. the GPU plugin's), which apply only to a session this job starts. */
  SparkSession session(String job, java.util.Map<String, String> extra) {
    SparkConf conf = new SparkConf(true);
    SparkSession.Builder b = StrataSpark.configure(SparkSession.builder(), warehouse).appName("strata " + job);
    for (java.util.Map.Entry<String, String> e : extra.entrySet()) {
      b = b.config(e.getKey(), e.getValue());
    }
    if (master != null) {
      b = b.master(master);
    } else if (!conf.contains("spark.master")) {
      b = b.master("local[*]").config("spark.ui.enabled", "false")
          .config("spark.driver.host", "127.0.0.1");
    }
    return b.getOrCreate();
  }
}
