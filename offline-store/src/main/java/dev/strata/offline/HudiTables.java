package dev.strata.offline;

import static org.apache.spark.sql.functions.max;

import dev.strata.dsl.Snapshot;
import dev.strata.errors.InvalidInputException;
import java.time.LocalDate;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;

/** Hudi copy-on-write tables at a Hadoop path; a snapshot is a commit instant. */
final class HudiTables implements FormatIo {
  @Override
  public Dataset<Row> read(SparkSession spark, String location, Optional<Snapshot> at) {
    var reader = spark.read().format("hudi");
    if (at.isPresent()) {
      reader = reader.option("as.of.instant", at.get().id());
    }
    // Hudi's bookkeeping columns are not part of the table's data
    return reader
        .load(location)
        .drop(
            "_hoodie_commit_time",
            "_hoodie_commit_seqno",
            "_hoodie_record_key",
            "_hoodie_partition_path",
            "_hoodie_file_name");
  }

  @Override
  public boolean exists(SparkSession spark, String location) {
    return HadoopFs.isDirectory(spark, location, ".hoodie");
  }

  @Override
  public Optional<Snapshot> currentSnapshot(SparkSession spark, String location) {
    Row r = spark.read().format("hudi").load(location).agg(max("_hoodie_commit_time")).first();
    return r.isNullAt(0) ? Optional.empty() : Optional.of(new Snapshot(r.getString(0)));
  }

  @Override
  public void replaceRange(
      SparkSession spark,
      Dataset<Row> rows,
      String location,
      Tables.TableLayout layout,
      LocalDate from,
      LocalDate to) {
    Map<String, String> o = options(location);
    o.put("hoodie.datasource.write.table.type", "COPY_ON_WRITE");
    o.put("hoodie.datasource.write.recordkey.field", String.join(",", layout.recordKey()));
    o.put(
        "hoodie.datasource.write.keygenerator.class", "org.apache.hudi.keygen.ComplexKeyGenerator");
    o.put("hoodie.datasource.write.precombine.field", layout.orderingColumn());
    o.put("hoodie.datasource.write.partitionpath.field", layout.dateColumn());
    o.put("hoodie.datasource.write.hive_style_partitioning", "true");
    // replaces the partitions (dates) the rows fall in, in one replacecommit
    o.put("hoodie.datasource.write.operation", "insert_overwrite");
    // Append creates the table when there is none and never replaces the partitions it does not
    // touch; SaveMode.Overwrite would drop every other day of the table
    rows.write().format("hudi").options(o).mode(SaveMode.Append).save(location);
  }

  @Override
  public void write(SparkSession spark, Dataset<Row> rows, String location, boolean overwrite) {
    Map<String, String> o = options(location);
    o.put("hoodie.datasource.write.table.type", "COPY_ON_WRITE");
    // rows have no natural key: Hudi generates record keys for bulk inserts
    o.put("hoodie.datasource.write.operation", "bulk_insert");
    if (!overwrite && exists(spark, location)) {
      throw new InvalidInputException(
          "hudi table " + location + " exists (overwrite it explicitly)");
    }
    rows.write().format("hudi").options(o).mode(SaveMode.Overwrite).save(location);
  }

  @Override
  public void append(SparkSession spark, Dataset<Row> rows, String location) {
    Map<String, String> o = options(location);
    o.put("hoodie.datasource.write.operation", "bulk_insert");
    rows.write().format("hudi").options(o).mode(SaveMode.Append).save(location);
  }

  private static Map<String, String> options(String location) {
    Map<String, String> o = new TreeMap<>();
    o.put("hoodie.table.name", new Path(location).getName().replaceAll("[^A-Za-z0-9_]", "_"));
    o.put("hoodie.metadata.enable", "false");
    return o;
  }
}
