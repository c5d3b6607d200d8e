package dev.strata.offline;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.raise_error;
import static org.apache.spark.sql.functions.when;

import dev.strata.dsl.Snapshot;
import dev.strata.dsl.TableLocation;
import dev.strata.errors.InvalidInputException;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Reads and writes Delta, Iceberg and Hudi tables and Parquet files through each format's own API
 * and Hadoop's {@code FileSystem}, so that the same job runs on a local disk, HDFS or S3.
 *
 * <pre>{@code
 * TableLocation t = TableFormat.DELTA.at("s3a://lake/strata/offline/delta/origin_delays_v1");
 * Optional<Snapshot> now = Tables.currentSnapshot(spark, t);
 * Dataset<Row> rows = Tables.read(spark, t, now);
 * }</pre>
 */
public final class Tables {
  private static final FormatIo DELTA = new DeltaTables();
  private static final FormatIo ICEBERG = new IcebergTables();
  private static final FormatIo HUDI = new HudiTables();
  private static final FormatIo PARQUET = new ParquetFiles();

  private Tables() {}

  /**
   * One commit of a table: the snapshot it made and, where the format's log says, the rows it
   * wrote.
   */
  public record Commit(Snapshot snapshot, OptionalLong rowsWritten) {}

  /** How an offline table is keyed and partitioned. */
  public record TableLayout(List<String> recordKey, String orderingColumn, String dateColumn) {}

  private static FormatIo io(TableLocation table) {
    return switch (table.format()) {
      case DELTA -> DELTA;
      case ICEBERG -> ICEBERG;
      case HUDI -> HUDI;
      case PARQUET -> PARQUET;
    };
  }

  /** The table at a snapshot, or as it is now when none is given. */
  public static Dataset<Row> read(SparkSession spark, TableLocation table, Optional<Snapshot> at) {
    return io(table).read(spark, table.location(), at);
  }

  public static boolean exists(SparkSession spark, TableLocation table) {
    return io(table).exists(spark, table.location());
  }

  /** The table's current snapshot; none when it does not exist or has none (Parquet). */
  public static Optional<Snapshot> currentSnapshot(SparkSession spark, TableLocation table) {
    FormatIo io = io(table);
    return io.exists(spark, table.location())
        ? io.lastCommit(spark, table.location()).map(Commit::snapshot)
        : Optional.empty();
  }

  /**
   * Replaces the rows whose {@code layout.dateColumn()} lies in {@code [from, to]} with {@code
   * rows} (which must all lie in that range) in one commit, creating the table if needed; the other
   * dates keep their rows. A failed write commits nothing. The rows are computed once: the range is
   * checked as they are written (a row outside it fails the write before the commit), and the count
   * comes from the commit.
   *
   * @return the commit the write created
   */
  public static Commit replaceRange(
      SparkSession spark,
      Dataset<Row> rows,
      TableLocation table,
      TableLayout layout,
      LocalDate from,
      LocalDate to) {
    Column inRange =
        when(range(layout, from, to), lit(true))
            .otherwise(
                raise_error(
                    concat(
                        lit("a row outside " + from + ".." + to + " in a write to " + table + ": "),
                        col(layout.dateColumn()).cast("string"))));
    FormatIo io = io(table);
    io.replaceRange(spark, rows.filter(inRange), table.location(), layout, from, to);
    return io.lastCommit(spark, table.location())
        .orElseThrow(() -> new IllegalStateException(table + " has no snapshot after a write"));
  }

  /**
   * Writes {@code rows} as the whole table (replacing it only when {@code overwrite}), for outputs
   * such as historical retrievals and training sets.
   *
   * @return the snapshot the write created; none for Parquet
   * @throws OutputExistsException when the table exists and {@code overwrite} is false
   */
  public static Optional<Snapshot> write(
      SparkSession spark, Dataset<Row> rows, TableLocation table, boolean overwrite) {
    if (!overwrite && exists(spark, table)) {
      throw new OutputExistsException(table);
    }
    io(table).write(spark, rows, table.location(), overwrite);
    return currentSnapshot(spark, table);
  }

  /** Appends {@code rows} to an existing table in one commit; returns the new snapshot. */
  public static Optional<Snapshot> append(
      SparkSession spark, Dataset<Row> rows, TableLocation table) {
    if (!exists(spark, table)) {
      throw new InvalidInputException(
          table.formatName() + " table " + table.location() + " does not exist");
    }
    io(table).append(spark, rows, table.location());
    return currentSnapshot(spark, table);
  }

  /**
   * Appends a stream's micro-batch {@code version} of {@code writer} in one commit, once: written
   * again (a restart replays its last batch), it commits nothing. Delta tables only.
   */
  public static void appendOnce(
      SparkSession spark,
      Dataset<Row> rows,
      TableLocation table,
      String dateColumn,
      String writer,
      long version) {
    io(table).appendOnce(spark, rows, table.location(), dateColumn, writer, version);
  }

  /**
   * A stream's appends to one Delta table, each once ({@link #appendOnce}'s guarantee), for one run
   * of the stream: the first append reads which of the writer's commits the table holds; later ones
   * know it, since only this run commits as this writer, and commit without reading it again.
   */
  public static final class Once {
    private final TableLocation table;
    private final String dateColumn;
    private final String writer;
    private OptionalLong committed;

    public Once(TableLocation table, String dateColumn, String writer) {
      if (table.format() != dev.strata.dsl.SourceFormat.DELTA) {
        throw new dev.strata.errors.InvalidInputException(
            "a stream writes its offline rows to a Delta table; "
                + table.location()
                + " is not one");
      }
      this.table = table;
      this.dateColumn = dateColumn;
      this.writer = writer;
    }

    /** Appends {@code rows} as the writer's commit {@code version}; nothing if it is there. */
    public void append(SparkSession spark, Dataset<Row> rows, long version) {
      if (committed == null) {
        committed = DeltaTables.committed(spark, table.location(), writer);
      }
      if (committed.isPresent() && version <= committed.getAsLong()) {
        return; // a batch replayed after a restart
      }
      if (committed.isEmpty()) {
        appendOnce(spark, rows, table, dateColumn, writer, version); // creates the table
      } else {
        DeltaTables.appendNew(spark, rows, table.location(), writer, version);
      }
      committed = OptionalLong.of(version);
    }
  }

  static Column range(TableLayout layout, LocalDate from, LocalDate to) {
    Column d = col(layout.dateColumn());
    return d.geq(lit(java.sql.Date.valueOf(from))).and(d.leq(lit(java.sql.Date.valueOf(to))));
  }

  static String rangeSql(TableLayout layout, LocalDate from, LocalDate to) {
    return "`"
        + layout.dateColumn()
        + "` >= DATE'"
        + from
        + "' AND `"
        + layout.dateColumn()
        + "` <= DATE'"
        + to
        + "'";
  }
}
