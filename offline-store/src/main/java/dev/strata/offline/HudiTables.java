package dev.strata.offline;

import dev.strata.dsl.Snapshot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.LocalDate;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import org.apache.hadoop.fs.Path;
import org.apache.hudi.common.model.HoodieCommitMetadata;
import org.apache.hudi.common.table.HoodieTableMetaClient;
import org.apache.hudi.common.table.timeline.HoodieInstant;
import org.apache.hudi.common.table.timeline.HoodieTimeline;
import org.apache.hudi.hadoop.fs.HadoopFSUtils;
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
  public Optional<Tables.Commit> lastCommit(SparkSession spark, String location) {
    HoodieTableMetaClient meta =
        HoodieTableMetaClient.builder()
            .setConf(
                HadoopFSUtils.getStorageConfWithCopy(spark.sparkContext().hadoopConfiguration()))
            .setBasePath(location)
            .build();
    HoodieTimeline commits = meta.getCommitsTimeline().filterCompletedInstants();
    if (commits.lastInstant().isEmpty()) {
      return Optional.empty();
    }
    HoodieInstant last = commits.lastInstant().get();
    try {
      HoodieCommitMetadata metadata =
          HoodieTimeline.REPLACE_COMMIT_ACTION.equals(last.getAction())
              ? commits.readReplaceCommitMetadata(last)
              : commits.readCommitMetadata(last);
      // the requested time is what the rows carry as _hoodie_commit_time and as.of.instant takes
      return Optional.of(
          new Tables.Commit(
              new Snapshot(last.requestedTime()),
              OptionalLong.of(metadata.fetchTotalRecordsWritten())));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read Hudi commit " + last + " of " + location, e);
    }
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
    // replaces the partitions (dates) the rows fall in, in one replacecommit, through Hudi's row
    // writer (the Dataset goes to Parquet as is: no RDD of Avro records, no workload profile pass
    // that computes the rows a second time; half the time of plain insert_overwrite, measured)
    o.put("hoodie.datasource.write.operation", "bulk_insert");
    o.put("hoodie.bulkinsert.overwrite.operation.type", "INSERT_OVERWRITE");
    o.put("hoodie.datasource.write.row.writer.enable", "true");
    // offline tables are only ever replaced by date, never upserted through a bloom index, but
    // Hudi's row writer writes a filter into every file's footer; at the default (a dynamic filter
    // sized for 60,000 keys at 1e-9) serializing them was the largest part of the write
    o.put("hoodie.bloom.index.filter.type", "SIMPLE");
    o.put("hoodie.index.bloom.num_entries", "1000");
    o.put("hoodie.index.bloom.fpp", "0.01");
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
      throw new OutputExistsException(TableFormat.HUDI.at(location));
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
    // Spark's and Delta's codec; Hudi's default, gzip, made its writes the slowest of the three
    o.put("hoodie.parquet.compression.codec", "snappy");
    return o;
  }
}
