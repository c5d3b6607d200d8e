package dev.strata.offline;

import dev.strata.dsl.Snapshot;
import dev.strata.errors.InvalidInputException;
import java.time.LocalDate;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;

/** Plain Parquet files at a Hadoop path: readable and writable, with no snapshots. */
final class ParquetFiles implements FormatIo {
  @Override
  public Dataset<Row> read(SparkSession spark, String location, Optional<Snapshot> at) {
    if (at.isPresent()) {
      throw new InvalidInputException("Parquet files have no snapshots: " + location);
    }
    return spark.read().parquet(location);
  }

  @Override
  public boolean exists(SparkSession spark, String location) {
    return HadoopFs.exists(spark, location);
  }

  @Override
  public Optional<Tables.Commit> lastCommit(SparkSession spark, String location) {
    return Optional.empty();
  }

  @Override
  public void replaceRange(
      SparkSession spark,
      Dataset<Row> rows,
      String location,
      Tables.TableLayout layout,
      LocalDate from,
      LocalDate to) {
    throw new UnsupportedOperationException(
        "offline tables are Delta, Iceberg or Hudi tables, not Parquet files: " + location);
  }

  @Override
  public void write(SparkSession spark, Dataset<Row> rows, String location, boolean overwrite) {
    rows.write().mode(overwrite ? SaveMode.Overwrite : SaveMode.ErrorIfExists).parquet(location);
  }

  @Override
  public void append(SparkSession spark, Dataset<Row> rows, String location) {
    rows.write().mode(SaveMode.Append).parquet(location);
  }
}
