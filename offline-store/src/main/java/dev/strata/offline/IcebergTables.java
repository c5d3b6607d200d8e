package dev.strata.offline;

import static org.apache.spark.sql.functions.col;

import dev.strata.dsl.Snapshot;
import dev.strata.errors.InvalidInputException;
import java.time.LocalDate;
import java.util.Optional;
import java.util.OptionalLong;
import org.apache.iceberg.Table;
import org.apache.iceberg.spark.Spark3Util;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.analysis.NoSuchTableException;
import org.apache.spark.sql.catalyst.analysis.TableAlreadyExistsException;
import org.apache.spark.sql.catalyst.parser.ParseException;

/**
 * Iceberg tables in Strata's catalog ({@value StrataSpark#ICEBERG_CATALOG}, kept in the warehouse);
 * a location is a table identifier, {@code db.table}; a snapshot is a snapshot id.
 */
final class IcebergTables implements FormatIo {
  @Override
  public Dataset<Row> read(SparkSession spark, String location, Optional<Snapshot> at) {
    var reader = spark.read();
    if (at.isPresent()) {
      reader = reader.option("snapshot-id", Long.parseLong(at.get().id()));
    }
    return reader.table(table(location));
  }

  @Override
  public boolean exists(SparkSession spark, String location) {
    return spark.catalog().tableExists(table(location));
  }

  @Override
  public Optional<Tables.Commit> lastCommit(SparkSession spark, String location) {
    Table t = load(spark, location);
    t.refresh();
    return Optional.ofNullable(t.currentSnapshot())
        .map(
            s -> {
              String added = s.summary() == null ? null : s.summary().get("added-records");
              return new Tables.Commit(
                  new Snapshot(Long.toString(s.snapshotId())),
                  added == null ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(added)));
            });
  }

  @Override
  public void replaceRange(
      SparkSession spark,
      Dataset<Row> rows,
      String location,
      Tables.TableLayout layout,
      LocalDate from,
      LocalDate to) {
    try {
      if (exists(spark, location)) {
        // an atomic overwrite of the rows that match the range
        rows.writeTo(table(location)).overwrite(Tables.range(layout, from, to));
      } else {
        rows.writeTo(table(location)).partitionedBy(col(layout.dateColumn())).create();
      }
    } catch (NoSuchTableException | TableAlreadyExistsException e) {
      throw new IllegalStateException(
          "Iceberg table " + location + " changed during the write: " + e.getMessage(), e);
    }
  }

  @Override
  public void write(SparkSession spark, Dataset<Row> rows, String location, boolean overwrite) {
    if (overwrite) {
      rows.writeTo(table(location)).createOrReplace();
    } else {
      rows.writeTo(table(location)).create(); // fails when one appeared since Tables.write looked
    }
  }

  @Override
  public void append(SparkSession spark, Dataset<Row> rows, String location) {
    try {
      rows.writeTo(table(location)).append();
    } catch (NoSuchTableException e) {
      throw new InvalidInputException("iceberg table " + location + " does not exist", e);
    }
  }

  private static Table load(SparkSession spark, String location) {
    try {
      return Spark3Util.loadIcebergTable(spark, table(location));
    } catch (ParseException | NoSuchTableException e) {
      throw new InvalidInputException(
          "iceberg table " + location + " cannot be loaded: " + e.getMessage(), e);
    }
  }

  static String table(String location) {
    return location.startsWith(StrataSpark.ICEBERG_CATALOG + ".")
        ? location
        : StrataSpark.ICEBERG_CATALOG + "." + location;
  }
}
