package dev.strata.benchmarks;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pow;
import static org.apache.spark.sql.functions.rand;
import static org.apache.spark.sql.functions.timestamp_seconds;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Synthetic flights with a fixed seed, at any size: 250 origins with a skewed popularity (the
 * busiest has about a tenth of the rows, like a hub), departures uniform over the first half of
 * 2001, delays from -20 to 180 minutes. Columns: id, origin, ts, delay.
 */
final class Generator {
  private Generator() {}

  static Dataset<Row> flights(SparkSession spark, long rows, long seed) {
    long start = 978_307_200L; // 2001-01-01T00:00:00Z
    long span = 181L * 24 * 3600;
    return spark
        .range(rows)
        .select(
            col("id"),
            concat(lit("A"), floor(pow(rand(seed), 2.5).multiply(250)).cast("int").cast("string"))
                .as("origin"),
            timestamp_seconds(floor(rand(seed + 1).multiply(span)).cast("long").plus(start))
                .as("ts"),
            floor(rand(seed + 2).multiply(200)).cast("long").minus(20).as("delay"));
  }
}
