package dev.strata.offline;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.to_date;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Delta, Iceberg and Hudi in one SparkSession: each is written twice, read back, and read as of its
 * first snapshot (Delta version, Iceberg snapshot id, Hudi instant), so the build proves the three
 * packages work together on one classpath.
 */
@ExtendWith(SharedSparkSession.class)
class TableFormatsCoexistTest {
  private static final StructType SCHEMA =
      new StructType()
          .add("id", DataTypes.LongType, true)
          .add("ts", DataTypes.TimestampType, true)
          .add("value", DataTypes.DoubleType, true);

  private static Dataset<Row> batch(SparkSession spark, long from, long to) {
    List<Row> rows = new ArrayList<>();
    for (long i = from; i < to; i++) {
      rows.add(
          RowFactory.create(
              i,
              Timestamp.from(Instant.parse("2001-01-01T00:00:00Z").plusSeconds(i * 7_200)),
              i * 1.5));
    }
    return spark.createDataFrame(rows, SCHEMA).withColumn("date", to_date(col("ts")));
  }

  @Test
  void deltaIcebergAndHudiWriteReadAndTimeTravelInOneSession(SparkSession spark, @TempDir Path dir)
      throws Exception {
    Dataset<Row> first = batch(spark, 0, 20);
    Dataset<Row> second = batch(spark, 20, 30);
    Dataset<Row> both = first.union(second);

    // Delta
    String delta = dir.resolve("delta").toString();
    first.write().format("delta").partitionBy("date").save(delta);
    second.write().format("delta").mode(SaveMode.Append).save(delta);
    DataFrames.assertEqualsIgnoringOrder(
        both,
        spark.read().format("delta").load(delta).select(both.columns()[0], "ts", "value", "date"));
    DataFrames.assertEqualsIgnoringOrder(
        first,
        spark
            .read()
            .format("delta")
            .option("versionAsOf", 0)
            .load(delta)
            .select("id", "ts", "value", "date"));

    // Iceberg, in its own catalog
    String table = StrataSpark.ICEBERG_CATALOG + ".coexist.events";
    spark.sql("DROP TABLE IF EXISTS " + table);
    first.writeTo(table).partitionedBy(col("date")).create();
    long firstSnapshot =
        spark
            .sql("SELECT snapshot_id FROM " + table + ".snapshots ORDER BY committed_at")
            .first()
            .getLong(0);
    second.writeTo(table).append();
    DataFrames.assertEqualsIgnoringOrder(both, spark.table(table));
    DataFrames.assertEqualsIgnoringOrder(
        first, spark.read().option("snapshot-id", firstSnapshot).table(table));

    // Hudi, copy-on-write
    String hudi = dir.resolve("hudi").toString();
    first.write().format("hudi").options(hudiOptions()).mode(SaveMode.Overwrite).save(hudi);
    String firstInstant =
        spark.read().format("hudi").load(hudi).select("_hoodie_commit_time").first().getString(0);
    second.write().format("hudi").options(hudiOptions()).mode(SaveMode.Append).save(hudi);
    Dataset<Row> hudiNow =
        spark.read().format("hudi").load(hudi).select("id", "ts", "value", "date");
    DataFrames.assertEqualsIgnoringOrder(both, hudiNow);
    Dataset<Row> hudiThen =
        spark
            .read()
            .format("hudi")
            .option("as.of.instant", firstInstant)
            .load(hudi)
            .select("id", "ts", "value", "date");
    DataFrames.assertEqualsIgnoringOrder(first, hudiThen);

    assertThat(spark.read().format("delta").load(delta).count()).isEqualTo(30);
  }

  private static java.util.Map<String, String> hudiOptions() {
    return java.util.Map.of(
        "hoodie.table.name", "events",
        "hoodie.datasource.write.table.type", "COPY_ON_WRITE",
        "hoodie.datasource.write.recordkey.field", "id",
        "hoodie.datasource.write.precombine.field", "ts",
        "hoodie.datasource.write.partitionpath.field", "date",
        "hoodie.datasource.write.hive_style_partitioning", "true",
        "hoodie.datasource.write.operation", "upsert");
  }
}
