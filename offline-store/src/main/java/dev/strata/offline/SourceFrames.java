package dev.strata.offline;

import static org.apache.spark.sql.functions.col;

import dev.strata.dsl.Snapshot;
import dev.strata.dsl.Source;
import dev.strata.dsl.ValueType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Reads a {@link Source} as a DataFrame of its declared columns, by their definition names and
 * types, after checking the table's schema against the definition.
 */
public final class SourceFrames {
  private SourceFrames() {}

  /** The raw table, as stored, optionally at a snapshot. */
  public static Dataset<Row> raw(SparkSession spark, Source source, Optional<Snapshot> snapshot) {
    return Tables.read(spark, source.table(), snapshot);
  }

  /**
   * The source's declared columns, renamed and typed as declared; timestamps without a time zone
   * are read as UTC.
   *
   * @param user who reads, for messages, e.g. {@code feature view 'origin_delays'}
   * @throws SourceSchemaException when the table or files are not there, or a column is missing or
   *     has an incompatible type
   */
  public static Dataset<Row> read(
      SparkSession spark, Source source, Optional<Snapshot> snapshot, String user) {
    if (!Tables.exists(spark, source.table())) {
      throw new SourceSchemaException(
          user
              + ": source '"
              + source.name()
              + "' has no "
              + source.table().formatName()
              + (source.table().format() == dev.strata.dsl.SourceFormat.PARQUET
                  ? " files"
                  : " table")
              + " at "
              + source.table().location()
              + ": put its data back there, or point the source at its new path in the"
              + " repository and run 'strata apply'");
    }
    return normalize(raw(spark, source, snapshot), source, user);
  }

  /**
   * Checks and selects the declared columns of an already-read table, followed by {@code keep}
   * (columns of the caller's own, such as a Kafka record's offset).
   */
  public static Dataset<Row> normalize(
      Dataset<Row> table, Source source, String user, Column... keep) {
    StructType schema = table.schema();
    List<String> problems = new ArrayList<>();
    List<Column> select = new ArrayList<>();
    for (Map.Entry<String, ValueType> c : source.columns().entrySet()) {
      String raw = source.rawColumn(c.getKey());
      StructField field = find(schema, raw);
      String where =
          raw.equals(c.getKey()) ? "'" + raw + "'" : "'" + raw + "' (as '" + c.getKey() + "')";
      if (field == null) {
        problems.add(
            "column "
                + where
                + " is missing (expected "
                + c.getValue()
                + "; found columns "
                + String.join(", ", schema.fieldNames())
                + ")");
        continue;
      }
      DataType found = field.dataType();
      if (!SparkTypes.readableAs(found, c.getValue())) {
        problems.add(
            "column "
                + where
                + " has type "
                + found.simpleString()
                + ", expected "
                + c.getValue()
                + " ("
                + SparkTypes.of(c.getValue()).simpleString()
                + ")");
        continue;
      }
      select.add(col("`" + field.name() + "`").cast(SparkTypes.of(c.getValue())).as(c.getKey()));
    }
    if (!problems.isEmpty()) {
      throw new SourceSchemaException(
          user
              + ": source '"
              + source.name()
              + "' ("
              + source.tableName()
              + ") does not match its"
              + " definition:\n  - "
              + String.join("\n  - ", problems));
    }
    select.addAll(List.of(keep));
    return table.select(select.toArray(Column[]::new));
  }

  private static StructField find(StructType schema, String name) {
    for (StructField f : schema.fields()) {
      if (f.name().equals(name)) {
        return f;
      }
    }
    return null;
  }
}
