package dev.strata.offline;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;

import dev.strata.dsl.SourceFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;

/**
 * The table formats behind one interface: read (now or at a snapshot), the current snapshot, and
 * an atomic replace of a date range of a date-partitioned table (created on first write).
 *
 * <p>Locations: a path for Delta, Hudi and Parquet; a table identifier in the {@value
 * StrataSpark#ICEBERG_CATALOG} catalog ({@code db.table}) for Iceberg. Snapshots: a Delta
 * version, an Iceberg snapshot id, a Hudi commit instant; Parquet has none.
 */
public enum TableFormat {
  DELTA {
    @Override
    public Dataset<Row> read(SparkSession spark, String location, String snapshot) {
      var reader = spark.read().format("delta");
      if (snapshot != null) {
        reader = reader.option("versionAsOf", Long.parseLong(snapshot));
      }
      return reader.load(location);
    }

    @Override
    public boolean exists(SparkSession spark, String location) {
      return Files.isDirectory(Path.of(location, "_delta_log"));
    }

    @Override
    public String currentSnapshot(SparkSession spark, String location) {
      if (!exists(spark, location)) {
        return null;
      }
      return Long.toString(
          io.delta.tables.DeltaTable.forPath(spark, location).history(1).first().getLong(0));
    }

    @Override
    void write(SparkSession spark, Dataset<Row> rows, String location, TableLayout layout,
        LocalDate from, LocalDate to) {
      var writer = rows.write().format("delta");
      if (exists(spark, location)) {
        // one commit that removes the range's rows and adds the new ones
        writer.mode(SaveMode.Overwrite)
            .option("replaceWhere", rangeSql(layout, from, to))
            .save(location);
      } else {
        writer.mode(SaveMode.ErrorIfExists).partitionBy(layout.dateColumn()).save(location);
      }
    }
  },

  ICEBERG {
    @Override
    public Dataset<Row> read(SparkSession spark, String location, String snapshot) {
      var reader = spark.read();
      if (snapshot != null) {
        reader = reader.option("snapshot-id", Long.parseLong(snapshot));
      }
      return reader.table(table(location));
    }

    @Override
    public boolean exists(SparkSession spark, String location) {
      return spark.catalog().tableExists(table(location));
    }

    @Override
    public String currentSnapshot(SparkSession spark, String location) {
      if (!exists(spark, location)) {
        return null;
      }
      List<Row> rows =
          spark.sql("SELECT snapshot_id FROM " + table(location)
              + ".snapshots ORDER BY committed_at DESC LIMIT 1").collectAsList();
      return rows.isEmpty() ? null : Long.toString(rows.get(0).getLong(0));
    }

    @Override
    void write(SparkSession spark, Dataset<Row> rows, String location, TableLayout layout,
        LocalDate from, LocalDate to) {
      try {
        if (exists(spark, location)) {
          // an atomic overwrite of the rows that match the range
          rows.writeTo(table(location)).overwrite(range(layout, from, to));
        } else {
          rows.writeTo(table(location)).partitionedBy(col(layout.dateColumn())).create();
        }
      } catch (org.apache.spark.sql.catalyst.analysis.NoSuchTableException
          | org.apache.spark.sql.catalyst.analysis.TableAlreadyExistsException e) {
        throw new IllegalStateException(
            "Iceberg table " + location + " changed during the write: " + e.getMessage(), e);
      }
    }

    private String table(String location) {
      return location.startsWith(StrataSpark.ICEBERG_CATALOG + ".")
          ? location
          : StrataSpark.ICEBERG_CATALOG + "." + location;
    }
  },

  HUDI {
    @Override
    public Dataset<Row> read(SparkSession spark, String location, String snapshot) {
      var reader = spark.read().format("hudi");
      if (snapshot != null) {
        reader = reader.option("as.of.instant", snapshot);
      }
      Dataset<Row> d = reader.load(location);
      // Hudi's bookkeeping columns are not part of the table's data
      return d.drop(
          "_hoodie_commit_time", "_hoodie_commit_seqno", "_hoodie_record_key",
          "_hoodie_partition_path", "_hoodie_file_name");
    }

    @Override
    public boolean exists(SparkSession spark, String location) {
      return Files.isDirectory(Path.of(location, ".hoodie"));
    }

    @Override
    public String currentSnapshot(SparkSession spark, String location) {
      if (!exists(spark, location)) {
        return null;
      }
      Row r = spark.read().format("hudi").load(location).agg(max("_hoodie_commit_time")).first();
      return r.isNullAt(0) ? null : r.getString(0);
    }

    @Override
    void write(SparkSession spark, Dataset<Row> rows, String location, TableLayout layout,
        LocalDate from, LocalDate to) {
      Map<String, String> o = new TreeMap<>();
      o.put("hoodie.table.name", Path.of(location).getFileName().toString().replaceAll("[^A-Za-z0-9_]", "_"));
      o.put("hoodie.datasource.write.table.type", "COPY_ON_WRITE");
      o.put("hoodie.datasource.write.recordkey.field", String.join(",", layout.recordKey()));
      o.put("hoodie.datasource.write.keygenerator.class", "org.apache.hudi.keygen.ComplexKeyGenerator");
      o.put("hoodie.datasource.write.precombine.field", layout.orderingColumn());
      o.put("hoodie.datasource.write.partitionpath.field", layout.dateColumn());
      o.put("hoodie.datasource.write.hive_style_partitioning", "true");
      // replaces the partitions (dates) the rows fall in, in one replacecommit
      o.put("hoodie.datasource.write.operation", "insert_overwrite");
      o.put("hoodie.metadata.enable", "false");
      rows.write().format("hudi").options(o)
          .mode(exists(spark, location) ? SaveMode.Append : SaveMode.Overwrite)
          .save(location);
    }
  },

  PARQUET {
    @Override
    public Dataset<Row> read(SparkSession spark, String location, String snapshot) {
      if (snapshot != null) {
        throw new IllegalArgumentException("Parquet files have no snapshots: " + location);
      }
      return spark.read().parquet(location);
    }

    @Override
    public boolean exists(SparkSession spark, String location) {
      return Files.exists(Path.of(location));
    }

    @Override
    public String currentSnapshot(SparkSession spark, String location) {
      return null;
    }

    @Override
    void write(SparkSession spark, Dataset<Row> rows, String location, TableLayout layout,
        LocalDate from, LocalDate to) {
      throw new UnsupportedOperationException(
          "offline tables are Delta, Iceberg or Hudi tables, not Parquet files: " + location);
    }
  };

  /** How an offline table is keyed and partitioned. */
  public record TableLayout(List<String> recordKey, String orderingColumn, String dateColumn) {}

  public abstract Dataset<Row> read(SparkSession spark, String location, String snapshot);

  public abstract boolean exists(SparkSession spark, String location);

  /** The table's current snapshot id, or null when it does not exist (or has none). */
  public abstract String currentSnapshot(SparkSession spark, String location);

  /**
   * Replaces the rows whose {@code layout.dateColumn()} lies in {@code [from, to]} with
   * {@code rows} (which must all lie in that range) in one commit, creating the table if needed.
   * A failed write commits nothing.
   */
  abstract void write(SparkSession spark, Dataset<Row> rows, String location, TableLayout layout,
      LocalDate from, LocalDate to);

  /**
   * Writes {@code rows} as the whole table (replacing it when {@code overwrite}), for outputs such
   * as historical retrievals; returns the snapshot the write created.
   */
  public String writeTable(SparkSession spark, Dataset<Row> rows, String location, boolean overwrite) {
    if (exists(spark, location) && !overwrite) {
      throw new IllegalArgumentException(
          name().toLowerCase(Locale.ROOT) + " table " + location + " exists (overwrite it explicitly)");
    }
    SaveMode mode = overwrite ? SaveMode.Overwrite : SaveMode.ErrorIfExists;
    switch (this) {
      case DELTA -> rows.write().format("delta").mode(mode).option("overwriteSchema", "true").save(location);
      case PARQUET -> rows.write().mode(mode).parquet(location);
      case ICEBERG -> {
        String table = location.startsWith(StrataSpark.ICEBERG_CATALOG + ".")
            ? location : StrataSpark.ICEBERG_CATALOG + "." + location;
        try {
          rows.writeTo(table).createOrReplace();
        } catch (Exception e) {
          throw new IllegalStateException("Cannot write Iceberg table " + table + ": " + e.getMessage(), e);
        }
      }
      case HUDI -> {
        Map<String, String> o = new TreeMap<>();
        o.put("hoodie.table.name", Path.of(location).getFileName().toString().replaceAll("[^A-Za-z0-9_]", "_"));
        o.put("hoodie.datasource.write.table.type", "COPY_ON_WRITE");
        // rows have no natural key: Hudi generates record keys for bulk inserts
        o.put("hoodie.datasource.write.operation", "bulk_insert");
        o.put("hoodie.metadata.enable", "false");
        rows.write().format("hudi").options(o).mode(SaveMode.Overwrite).save(location);
      }
    }
    return currentSnapshot(spark, location);
  }

  /** Appends {@code rows} to an existing table in one commit; returns the new snapshot. */
  public String append(SparkSession spark, Dataset<Row> rows, String location) {
    if (!exists(spark, location)) {
      throw new IllegalArgumentException(name().toLowerCase(Locale.ROOT) + " table " + location + " does not exist");
    }
    switch (this) {
      case DELTA -> rows.write().format("delta").mode(SaveMode.Append).save(location);
      case PARQUET -> rows.write().mode(SaveMode.Append).parquet(location);
      case ICEBERG -> {
        try {
          rows.writeTo(location.startsWith(StrataSpark.ICEBERG_CATALOG + ".")
              ? location : StrataSpark.ICEBERG_CATALOG + "." + location).append();
        } catch (org.apache.spark.sql.catalyst.analysis.NoSuchTableException e) {
          throw new IllegalArgumentException("Iceberg table " + location + " does not exist", e);
        }
      }
      case HUDI -> {
        Map<String, String> o = new TreeMap<>();
        o.put("hoodie.table.name", Path.of(location).getFileName().toString().replaceAll("[^A-Za-z0-9_]", "_"));
        o.put("hoodie.datasource.write.operation", "bulk_insert");
        o.put("hoodie.metadata.enable", "false");
        rows.write().format("hudi").options(o).mode(SaveMode.Append).save(location);
      }
    }
    return currentSnapshot(spark, location);
  }

  /** Writes and returns the snapshot the write created. */
  public String replaceRange(SparkSession spark, Dataset<Row> rows, String location,
      TableLayout layout, LocalDate from, LocalDate to) {
    Dataset<Row> outside = rows.filter(range(layout, from, to).unary_$bang()).limit(1);
    if (!outside.isEmpty()) {
      throw new IllegalArgumentException(
          "rows outside " + from + ".." + to + " in a write to " + location + ": " + outside.first());
    }
    write(spark, rows, location, layout, from, to);
    return currentSnapshot(spark, location);
  }

  static Column range(TableLayout layout, LocalDate from, LocalDate to) {
    Column d = col(layout.dateColumn());
    return d.geq(lit(java.sql.Date.valueOf(from))).and(d.leq(lit(java.sql.Date.valueOf(to))));
  }

  static String rangeSql(TableLayout layout, LocalDate from, LocalDate to) {
    return "`" + layout.dateColumn() + "` >= DATE'" + from + "' AND `" + layout.dateColumn()
        + "` <= DATE'" + to + "'";
  }

  public static TableFormat of(SourceFormat format) {
    return valueOf(format.name());
  }

  public static TableFormat parse(String text) {
    try {
      return valueOf(text.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "Unknown table format '" + text + "': expected delta, iceberg or hudi", e);
    }
  }
}
