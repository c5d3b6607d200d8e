package dev.strata.offline;

import dev.strata.dsl.ValueType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;

/** Strata's value types as Spark SQL types. */
public final class SparkTypes {
  private SparkTypes() {}

  public static DataType of(ValueType type) {
    return switch (type) {
      case BOOL -> DataTypes.BooleanType;
      case INT32 -> DataTypes.IntegerType;
      case INT64 -> DataTypes.LongType;
      case FLOAT32 -> DataTypes.FloatType;
      case FLOAT64 -> DataTypes.DoubleType;
      case STRING -> DataTypes.StringType;
      case TIMESTAMP -> DataTypes.TimestampType;
      case DATE -> DataTypes.DateType;
    };
  }

  /**
   * Whether a column of Spark type {@code found} can be read as {@code expected}: the same type, a
   * timestamp without time zone for a timestamp (read as UTC), or a narrower integer.
   */
  public static boolean readableAs(DataType found, ValueType expected) {
    DataType want = of(expected);
    if (found.equals(want)) {
      return true;
    }
    return switch (expected) {
      case TIMESTAMP -> found.equals(DataTypes.TimestampNTZType);
      case INT64 ->
          found.equals(DataTypes.IntegerType)
              || found.equals(DataTypes.ShortType)
              || found.equals(DataTypes.ByteType);
      case INT32 -> found.equals(DataTypes.ShortType) || found.equals(DataTypes.ByteType);
      case FLOAT64 -> found.equals(DataTypes.FloatType);
      default -> false;
    };
  }
}
