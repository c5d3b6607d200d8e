package dev.strata.offline;

import dev.strata.dsl.Snapshot;
import java.time.LocalDate;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * What one table format does, on a location in its own terms (a Hadoop path, or an Iceberg table
 * identifier). One class per format; {@link Tables} is the public face.
 */
interface FormatIo {
  Dataset<Row> read(SparkSession spark, String location, Optional<Snapshot> at);

  boolean exists(SparkSession spark, String location);

  /**
   * The latest commit of a table that exists ({@link Tables} checks first), read from the format's
   * own log (never by scanning the table's rows); none for a format without snapshots.
   */
  Optional<Tables.Commit> lastCommit(SparkSession spark, String location);

  /**
   * Replaces the rows of dates {@code [from, to]} with {@code rows} in one commit, creating the
   * table if needed.
   */
  void replaceRange(
      SparkSession spark,
      Dataset<Row> rows,
      String location,
      Tables.TableLayout layout,
      LocalDate from,
      LocalDate to);

  /** Writes {@code rows} as the whole table; replaces it only when {@code overwrite}. */
  void write(SparkSession spark, Dataset<Row> rows, String location, boolean overwrite);

  void append(SparkSession spark, Dataset<Row> rows, String location);

  /**
   * Appends {@code rows} in one commit unless this writer's commit {@code version} (or a later one)
   * is in the table already, creating the table partitioned by {@code dateColumn} if needed: a
   * stream's micro-batch, written again after a restart, commits nothing the second time.
   */
  default void appendOnce(
      SparkSession spark,
      Dataset<Row> rows,
      String location,
      String dateColumn,
      String writer,
      long version) {
    throw new dev.strata.errors.InvalidInputException(
        "a stream writes its offline rows to a Delta table; " + location + " is not one");
  }
}
