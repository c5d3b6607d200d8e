package dev.strata.streaming;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.from_json;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import dev.strata.dsl.Source;
import dev.strata.errors.InvalidInputException;
import dev.strata.offline.SparkTypes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.avro.SchemaConverters;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * How a stream's Kafka records hold the source's events: one JSON object per record, or one Avro
 * binary record per record (no schema-registry header), both with the source's raw column names.
 */
public enum RecordFormat {
  JSON,
  AVRO;

  /** {@code json} or {@code avro}, as {@code --format} takes it. */
  public static RecordFormat parse(String s) {
    try {
      return valueOf(s.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException(
          "--format " + s + ": records are 'json' (one object each) or 'avro' (binary, one each)");
    }
  }

  /** The source's raw columns, each nullable, as a Spark struct. */
  static StructType rawSchema(Source source) {
    StructType raw = new StructType();
    for (var c : source.columns().entrySet()) {
      raw = raw.add(source.rawColumn(c.getKey()), SparkTypes.of(c.getValue()), true);
    }
    return raw;
  }

  /**
   * The Avro schema (JSON) of a source's records: a record named after the source, in namespace
   * {@code dev.strata.events}, with a field per raw column, each a union with null; a timestamp is
   * a {@code long} of {@code timestamp-micros}, a date an {@code int} of {@code date}, as Spark's
   * Avro support maps them.
   */
  public static String avroSchema(Source source) {
    return SchemaConverters.toAvroType(rawSchema(source), false, source.name(), "dev.strata.events")
        .toString();
  }

  /**
   * A record's events as a struct of the source's raw columns (null when it does not parse at all)
   * and a column {@code corrupt}, not null when a JSON record parsed only in part.
   */
  Column parse(Source source, String corrupt) {
    StructType raw = rawSchema(source);
    if (this == AVRO) {
      Column record =
          org.apache.spark.sql.avro.functions.from_avro(
              col("value"), avroSchema(source), Map.of("mode", "PERMISSIVE"));
      List<Column> fields = new ArrayList<>();
      Column allNull = lit(true);
      for (String f : raw.fieldNames()) {
        fields.add(record.getField(f).as(f));
        allNull = allNull.and(record.getField(f).isNull());
      }
      fields.add(lit(null).cast(DataTypes.StringType).as(corrupt));
      // Spark answers a record that does not decode with every field null; a record whose fields
      // are all null is written as one byte per field (the union's null branch, 1, zigzag: 2)
      byte[] nulls = new byte[raw.size()];
      java.util.Arrays.fill(nulls, (byte) 2);
      Column undecodable = allNull.and(col("value").notEqual(lit(nulls)));
      return when(
          record.isNotNull().and(org.apache.spark.sql.functions.not(undecodable)),
          org.apache.spark.sql.functions.struct(fields.toArray(Column[]::new)));
    }
    Map<String, String> json = new HashMap<>();
    json.put("mode", "PERMISSIVE");
    json.put("columnNameOfCorruptRecord", corrupt);
    return from_json(
        col("value").cast("string"), raw.add(corrupt, DataTypes.StringType, true), json);
  }

  /** A record as a dead letter keeps it: JSON as its text, Avro's bytes in base64. */
  Column deadLetterValue() {
    return this == AVRO
        ? org.apache.spark.sql.functions.base64(col("value"))
        : col("value").cast("string");
  }
}
