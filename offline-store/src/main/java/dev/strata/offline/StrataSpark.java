package dev.strata.offline;

import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;

/**
 * The Spark settings every Strata job needs, on any master: Delta owns {@code spark_catalog},
 * Iceberg has a catalog of its own ({@value #ICEBERG_CATALOG}, a Hadoop catalog in the warehouse),
 * Hudi's SQL extension and Kryo registrator are loaded, times are UTC, and Parquet timestamps are
 * written as {@code TIMESTAMP(MICROS)}.
 *
 * <pre>{@code
 * SparkSession spark = StrataSpark.configure(SparkSession.builder(), Warehouse.of("s3a://lake/strata")).getOrCreate();
 * }</pre>
 */
public final class StrataSpark {
  /** The name of the Iceberg catalog: tables are {@code iceberg.db.table}. */
  public static final String ICEBERG_CATALOG = "iceberg";

  private StrataSpark() {}

  /** With a warehouse on the local disk. */
  public static SparkSession.Builder configure(SparkSession.Builder builder, Path warehouse) {
    return configure(builder, Warehouse.local(warehouse));
  }

  public static SparkSession.Builder configure(SparkSession.Builder builder, Warehouse warehouse) {
    return builder
        .config(
            "spark.sql.extensions",
            "io.delta.sql.DeltaSparkSessionExtension,"
                + "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions,"
                + "org.apache.spark.sql.hudi.HoodieSparkSessionExtension")
        // only one catalog can own spark_catalog, and it must be Delta's (BUILD-NOTES.md)
        .config(
            "spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog")
        .config("spark.sql.catalog." + ICEBERG_CATALOG, "org.apache.iceberg.spark.SparkCatalog")
        .config("spark.sql.catalog." + ICEBERG_CATALOG + ".type", "hadoop")
        .config("spark.sql.catalog." + ICEBERG_CATALOG + ".warehouse", warehouse.resolve("iceberg"))
        .config("spark.sql.warehouse.dir", warehouse.resolve("spark"))
        .config("spark.serializer", "org.apache.spark.serializer.KryoSerializer")
        .config("spark.kryo.registrator", "org.apache.spark.HoodieSparkKryoRegistrar")
        .config("spark.sql.session.timeZone", "UTC")
        // Parquet timestamps as INT64 micros with their logical type (an instant stays an instant
        // for DuckDB and other readers), not Spark's default, the deprecated INT96
        .config("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS")
        .config("spark.sql.debug.maxToStringFields", "1000");
  }
}
