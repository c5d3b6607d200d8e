package dev.strata.offline;

import dev.strata.dsl.Snapshot;
import io.delta.tables.DeltaTable;
import java.time.LocalDate;
import java.util.Optional;
import java.util.OptionalLong;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;

/** Delta Lake tables at a Hadoop path; a snapshot is a table version. */
final class DeltaTables implements FormatIo {
  @Override
  public Dataset<Row> read(SparkSession spark, String location, Optional<Snapshot> at) {
    var reader = spark.read().format("delta");
    if (at.isPresent()) {
      reader = reader.option("versionAsOf", Long.parseLong(at.get().id()));
    }
    return reader.load(location);
  }

  @Override
  public boolean exists(SparkSession spark, String location) {
    return HadoopFs.isDirectory(spark, location, "_delta_log");
  }

  @Override
  public Optional<Tables.Commit> lastCommit(SparkSession spark, String location) {
    Row last = DeltaTable.forPath(spark, location).history(1).first();
    long version = last.getLong(last.fieldIndex("version"));
    int metrics = last.fieldIndex("operationMetrics");
    String written =
        last.isNullAt(metrics)
            ? null
            : last.<String, String>getJavaMap(metrics).get("numOutputRows");
    return Optional.of(
        new Tables.Commit(
            new Snapshot(Long.toString(version)),
            written == null ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(written))));
  }

  @Override
  public void replaceRange(
      SparkSession spark,
      Dataset<Row> rows,
      String location,
      Tables.TableLayout layout,
      LocalDate from,
      LocalDate to) {
    var writer = rows.write().format("delta");
    if (exists(spark, location)) {
      // one commit that removes the range's rows and adds the new ones
      writer
          .mode(SaveMode.Overwrite)
          .option("replaceWhere", Tables.rangeSql(layout, from, to))
          .save(location);
    } else {
      // a table that appeared meanwhile fails this write rather than being replaced
      writer.mode(SaveMode.ErrorIfExists).partitionBy(layout.dateColumn()).save(location);
    }
  }

  @Override
  public void write(SparkSession spark, Dataset<Row> rows, String location, boolean overwrite) {
    rows.write()
        .format("delta")
        .mode(overwrite ? SaveMode.Overwrite : SaveMode.ErrorIfExists)
        .option("overwriteSchema", "true")
        .save(location);
  }

  /** Delta's idempotent writes: the transaction id {@code (writer, version)} is in the log. */
  @Override
  public void appendOnce(
      SparkSession spark,
      Dataset<Row> rows,
      String location,
      String dateColumn,
      String writer,
      long version) {
    rows.write()
        .format("delta")
        .mode(SaveMode.Append)
        .option("txnAppId", writer)
        .option("txnVersion", version)
        .partitionBy(dateColumn)
        .save(location);
  }

  @Override
  public void append(SparkSession spark, Dataset<Row> rows, String location) {
    rows.write().format("delta").mode(SaveMode.Append).save(location);
  }
}
