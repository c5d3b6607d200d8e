package dev.strata.offline;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.timestamp_micros;
import static org.apache.spark.sql.functions.unix_micros;

import dev.strata.dsl.AggregationFunction;
import dev.strata.dsl.Feature;
import dev.strata.dsl.FeatureView;
import dev.strata.dsl.JoinKey;
import dev.strata.dsl.Source;
import dev.strata.dsl.ValueType;
import dev.strata.errors.InvalidInputException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Point-in-time joins and exact sliding windows by a per-key sorted sweep ({@link Sweep}): the
 * entity rows and the view's events are unioned, partitioned by key and sorted once, and each
 * partition is swept in order. Cost: one shuffle and one sort of both sides (n log n); memory: the
 * events inside the longest window of one key (Spark's sort spills to disk).
 *
 * <pre>{@code
 * Dataset<Row> events = SourceFrames.read(spark, source, Optional.empty(), "feature view 'origin_delays'");
 * Dataset<Row> training =
 *     PointInTime.join(labels, "departure", List.of(PointInTime.request(view, source, events)), false);
 * }</pre>
 *
 * <p>Retrieval without entity rows builds on these: {@link RetrievalWithoutEntities}.
 *
 * <p>Over 400 lines because it holds the engine's three plans (the sweep at entity rows, the sweep
 * at cadence points, and the broadcast lookup of small feature tables), which share the preparation
 * of a view's columns and the checks of the entity rows; the per-row work is {@link Sweep}'s and
 * {@link AsOfLookup}'s.
 */
public final class PointInTime {
  /** The offline tables' column that holds the cadence point of a row. */
  public static final String FEATURE_TIMESTAMP = "feature_timestamp";

  private static final String TS = SweepLayout.TS;
  private static final String KIND = SweepLayout.KIND;
  private static final String CREATED = SweepLayout.CREATED;

  private PointInTime() {}

  /**
   * Features of one view for a join.
   *
   * @param events the view's source, read by {@link SourceFrames} (at any snapshot)
   * @param features the features to join, in order
   */
  public record Request(
      FeatureView view, Source source, Dataset<Row> events, List<String> features) {
    public Request {
      features = List.copyOf(features);
    }
  }

  public static Request request(FeatureView view, Source source, Dataset<Row> events) {
    return new Request(view, source, events, view.features().stream().map(Feature::name).toList());
  }

  /**
   * The point-in-time join of DESIGN.md: one row per entity row (duplicates stay duplicates), the
   * entity columns unchanged, then each request's features as of the row's timestamp: the latest
   * event at or before it within the view's TTL for row-level features, aggregations over {@code [t
   * - w, t)} from the raw events.
   *
   * @param qualified name feature columns {@code view__feature} instead of {@code feature}
   * @throws EntityFrameException when the entity rows lack a key or timestamp column, have a wrong
   *     type or null timestamps, or when output names collide
   */
  public static Dataset<Row> join(
      Dataset<Row> entities, String timestampColumn, List<Request> requests, boolean qualified) {
    checkEntities(entities, timestampColumn, requests, qualified);
    Dataset<Row> out = entities;
    for (Request r : requests) {
      out = joinOne(out, timestampColumn, r, qualified);
    }
    return out;
  }

  /**
   * A view's values at its cadence points in {@code [start, end]}: per key, every point at which a
   * window (or, for row-level features, the latest event within the TTL) holds something. Rows: the
   * join keys, {@value #FEATURE_TIMESTAMP}, the features.
   */
  public static Dataset<Row> atCadence(
      FeatureView view, Source source, Dataset<Row> events, Instant start, Instant end) {
    Prepared p = prepare(view, source, view.features().stream().map(Feature::name).toList());
    long lookback = Math.max(p.maxWindow, view.ttl().isZero() ? 0 : micros(view.ttl()));
    Column inRange = col(source.eventTimestamp()).leq(lit(java.sql.Timestamp.from(end)));
    if (lookback > 0 && !(p.rowFeatures > 0 && view.ttl().isZero())) {
      inRange =
          inRange.and(
              col(source.eventTimestamp())
                  .geq(lit(java.sql.Timestamp.from(start.minusNanos(lookback * 1000)))));
    }
    SweepLayout layout = p.layout(0);
    Dataset<Row> ev = eventRows(p, layout, source, events.filter(inRange));
    Sweep sweep =
        new Sweep(
            layout,
            p.rowFeatures,
            micros(view.ttl()),
            p.windows,
            new Sweep.Cadence(micros(start), micros(end), micros(view.cadence())));
    StructType schema = new StructType();
    for (JoinKey k : p.keys) {
      schema = schema.add(k.name(), SparkTypes.of(k.type()), true);
    }
    schema = schema.add(FEATURE_TIMESTAMP, DataTypes.LongType, false);
    schema = addFeatureFields(schema, p, p.featureNames);
    layout.check(ev.schema());
    Dataset<Row> swept = sorted(ev, p).mapPartitions(sweep, Encoders.row(schema));
    List<Column> cols = new ArrayList<>();
    for (JoinKey k : p.keys) {
      cols.add(col(k.name()));
    }
    cols.add(timestamp_micros(col(FEATURE_TIMESTAMP)).as(FEATURE_TIMESTAMP));
    cols.addAll(featureColumns(p, p.featureNames));
    return swept.select(cols.toArray(Column[]::new));
  }

  // ------------------------------------------------------------------------------------------

  /** The columns a view's sweep works on. */
  static final class Prepared {
    final FeatureView view;
    final List<JoinKey> keys;
    final List<Feature> features = new ArrayList<>(); // row features first, then aggregations
    final List<String> featureNames = new ArrayList<>();
    final Map<String, Column> valueColumns = new LinkedHashMap<>();
    final List<WindowState.Spec> windows = new ArrayList<>();
    final List<DataType> windowInputTypes = new ArrayList<>();
    int rowFeatures;
    long maxWindow;

    Prepared(FeatureView view) {
      this.view = view;
      this.keys = view.joinKeys();
    }

    /**
     * The sweep's row layout for these keys and values, with {@code entityColumns} entity columns.
     */
    SweepLayout layout(int entityColumns) {
      return new SweepLayout(
          keys.stream().map(JoinKey::name).toList(),
          List.copyOf(valueColumns.keySet()),
          entityColumns);
    }
  }

  static Prepared prepare(FeatureView view, Source source, List<String> names) {
    Prepared p = new Prepared(view);
    List<Feature> chosen = new ArrayList<>();
    for (String n : names) {
      chosen.add(
          view.feature(n)
              .orElseThrow(
                  () ->
                      new InvalidInputException(
                          "feature view '" + view.name() + "' has no feature '" + n + "'")));
    }
    for (Feature f : chosen) {
      if (!f.isAggregate()) {
        p.features.add(f);
        p.valueColumns.put(
            "__v" + p.valueColumns.size(), ExprColumns.typed(f.expr().orElseThrow(), f.type()));
        p.rowFeatures++;
      }
    }
    Map<String, Integer> inputs = new HashMap<>();
    for (Feature f : chosen) {
      if (f.isAggregate()) {
        p.features.add(f);
        int input = -1;
        boolean integral = false;
        DataType inputType = null;
        if (f.expr().isPresent()) {
          ValueType t = f.expr().get().typeIn(source.columns());
          integral = t.isIntegral();
          inputType = SparkTypes.of(t);
          String sig = f.expr().get() + ":" + t;
          Integer at = inputs.get(sig);
          if (at == null) {
            at = p.valueColumns.size();
            p.valueColumns.put("__v" + at, ExprColumns.typed(f.expr().get(), t));
            inputs.put(sig, at);
          }
          input = at;
        }
        long w = micros(f.window().orElseThrow());
        p.windows.add(new WindowState.Spec(f.function().orElseThrow(), w, input, integral));
        p.windowInputTypes.add(inputType);
        p.maxWindow = Math.max(p.maxWindow, w);
      }
    }
    for (Feature f : p.features) {
      p.featureNames.add(f.name());
    }
    return p;
  }

  /** The event side of the sweep's input, in its layout (entity columns typed nulls). */
  private static Dataset<Row> eventRows(
      Prepared p,
      SweepLayout layout,
      Source source,
      Dataset<Row> events,
      StructField... entityFields) {
    List<Column> keys = new ArrayList<>();
    Column keyNotNull = lit(true);
    for (JoinKey k : p.keys) {
      keys.add(col(k.name()).cast(SparkTypes.of(k.type())));
      keyNotNull = keyNotNull.and(col(k.name()).isNotNull());
    }
    Column created =
        source.createdTimestamp().isPresent()
            ? unix_micros(col(source.createdTimestamp().get()))
            : lit(null).cast(DataTypes.LongType);
    List<Column> entities = new ArrayList<>();
    for (StructField f : entityFields) {
      entities.add(lit(null).cast(f.dataType()));
    }
    return events
        .filter(keyNotNull.and(col(source.eventTimestamp()).isNotNull()))
        .select(
            layout.select(
                keys,
                unix_micros(col(source.eventTimestamp())),
                lit(Sweep.EVENT),
                created,
                new ArrayList<>(p.valueColumns.values()),
                entities));
  }

  private static Dataset<Row> sorted(Dataset<Row> union, Prepared p) {
    List<Column> keyCols = new ArrayList<>();
    for (JoinKey k : p.keys) {
      keyCols.add(col(k.name()));
    }
    List<Column> order = new ArrayList<>(keyCols);
    order.add(col(TS));
    order.add(col(KIND));
    // ties on event time matter only where one event wins: row-level features and last()
    boolean tiesMatter =
        p.rowFeatures > 0
            || p.windows.stream().anyMatch(w -> w.function() == AggregationFunction.LAST);
    if (tiesMatter) {
      order.add(col(CREATED).asc_nulls_first());
      for (String v : p.valueColumns.keySet()) {
        order.add(col(v).asc_nulls_first());
      }
    }
    return union
        .repartition(keyCols.toArray(Column[]::new))
        .sortWithinPartitions(order.toArray(Column[]::new));
  }

  private static Dataset<Row> joinOne(
      Dataset<Row> entities, String timestampColumn, Request r, boolean qualified) {
    Prepared p = prepare(r.view(), r.source(), r.features());
    StructField[] entityFields = entities.schema().fields();
    int e = entityFields.length;
    List<String> outNames = new ArrayList<>();
    for (String f : p.featureNames) {
      outNames.add(qualified ? r.view().name() + "__" + f : f);
    }
    if (p.windows.isEmpty()) {
      Dataset<Row> small = eventRows(p, p.layout(0), r.source(), r.events());
      Optional<AsOfLookup> lookup =
          AsOfLookup.fits(small)
              ? AsOfLookup.of(sorted(small, p), p.layout(0), micros(r.view().ttl()))
              : Optional.empty();
      if (lookup.isPresent()) {
        return lookupJoin(entities, timestampColumn, p, small.schema(), lookup.get(), outNames);
      }
    }

    SweepLayout layout = p.layout(e);
    Dataset<Row> ev = eventRows(p, layout, r.source(), r.events(), entityFields);

    // the query side: keys, time and entity columns; typed nulls for created time and values
    List<Column> keys = new ArrayList<>();
    for (JoinKey k : p.keys) {
      keys.add(col("`" + k.name() + "`").cast(SparkTypes.of(k.type())));
    }
    List<Column> values = new ArrayList<>();
    for (String v : p.valueColumns.keySet()) {
      values.add(lit(null).cast(ev.schema().apply(v).dataType()));
    }
    List<Column> entityCols = new ArrayList<>();
    for (StructField f : entityFields) {
      entityCols.add(col("`" + f.name() + "`"));
    }
    Dataset<Row> queries =
        entities.select(
            layout.select(
                keys,
                unix_micros(col("`" + timestampColumn + "`").cast(DataTypes.TimestampType)),
                lit(Sweep.QUERY),
                lit(null).cast(DataTypes.LongType),
                values,
                entityCols));

    Sweep sweep = new Sweep(layout, p.rowFeatures, micros(r.view().ttl()), p.windows, null);
    StructType schema = new StructType(entityFields);
    schema = addFeatureFields(schema, p, outNames);
    layout.check(ev.schema());
    layout.check(queries.schema());
    Dataset<Row> swept = sorted(ev.union(queries), p).mapPartitions(sweep, Encoders.row(schema));
    return swept.select(entityAndFeatures(entities, p, outNames));
  }

  /**
   * The join of a view with row-level features only whose events are small ({@link AsOfLookup}):
   * each entity row looks up its latest event in a broadcast copy of the events; the entity rows
   * are not shuffled.
   */
  private static Dataset<Row> lookupJoin(
      Dataset<Row> entities,
      String timestampColumn,
      Prepared p,
      StructType events,
      AsOfLookup lookup,
      List<String> outNames) {
    StructType values = new StructType();
    for (String v : p.layout(0).valueNames()) {
      values = values.add(v, events.apply(v).dataType(), true);
    }
    return lookup
        .joinTo(entities, timestampColumn, p.keys, values, outNames)
        .select(entityAndFeatures(entities, p, outNames));
  }

  private static Column[] entityAndFeatures(Dataset<Row> entities, Prepared p, List<String> names) {
    List<Column> cols = new ArrayList<>();
    for (String c : entities.columns()) {
      cols.add(col("`" + c + "`"));
    }
    cols.addAll(featureColumns(p, names));
    return cols.toArray(Column[]::new);
  }

  /** The sweep's output fields: row features as computed, aggregations as accumulated. */
  static StructType addFeatureFields(StructType schema, Prepared p, List<String> names) {
    for (int i = 0; i < p.features.size(); i++) {
      Feature f = p.features.get(i);
      DataType t;
      if (i < p.rowFeatures) {
        t = SparkTypes.of(f.type());
      } else {
        int w = i - p.rowFeatures;
        AggregationFunction fn = p.windows.get(w).function();
        t =
            switch (fn) {
              case COUNT -> DataTypes.LongType;
              case SUM -> p.windows.get(w).integral() ? DataTypes.LongType : DataTypes.DoubleType;
              case AVG, STDDEV -> DataTypes.DoubleType;
              case MIN, MAX, LAST -> p.windowInputTypes.get(w);
            };
      }
      schema = schema.add(names.get(i), t, true);
    }
    return schema;
  }

  /** Casts the sweep's feature columns to the features' declared types. */
  static List<Column> featureColumns(Prepared p, List<String> names) {
    List<Column> cols = new ArrayList<>();
    for (int i = 0; i < p.features.size(); i++) {
      cols.add(
          col("`" + names.get(i) + "`")
              .cast(SparkTypes.of(p.features.get(i).type()))
              .as(names.get(i)));
    }
    return cols;
  }

  private static void checkEntities(
      Dataset<Row> entities, String timestampColumn, List<Request> requests, boolean qualified) {
    StructType schema = entities.schema();
    List<String> problems = new ArrayList<>();
    StructField ts = field(schema, timestampColumn);
    if (ts == null) {
      problems.add(
          "no timestamp column '"
              + timestampColumn
              + "' (columns: "
              + String.join(", ", schema.fieldNames())
              + ")");
    } else if (!ts.dataType().equals(DataTypes.TimestampType)
        && !ts.dataType().equals(DataTypes.TimestampNTZType)) {
      problems.add(
          "timestamp column '"
              + timestampColumn
              + "' has type "
              + ts.dataType().simpleString()
              + ", expected timestamp");
    }
    Map<String, String> outputs = new HashMap<>();
    for (String c : schema.fieldNames()) {
      outputs.put(c, "the entity rows");
    }
    for (Request r : requests) {
      for (JoinKey k : r.view().joinKeys()) {
        StructField f = field(schema, k.name());
        if (f == null) {
          problems.add(
              "no column '"
                  + k.name()
                  + "', the join key of feature view '"
                  + r.view().name()
                  + "' ("
                  + k.type()
                  + ")");
        } else if (!SparkTypes.readableAs(f.dataType(), k.type())) {
          problems.add(
              "column '"
                  + k.name()
                  + "' has type "
                  + f.dataType().simpleString()
                  + ", but feature view '"
                  + r.view().name()
                  + "' joins on it as "
                  + k.type());
        }
      }
      for (String feature : r.features()) {
        if (r.view().feature(feature).isEmpty()) {
          problems.add("feature view '" + r.view().name() + "' has no feature '" + feature + "'");
          continue;
        }
        String out = qualified ? r.view().name() + "__" + feature : feature;
        String owner = "feature view '" + r.view().name() + "'";
        String before = outputs.putIfAbsent(out, owner);
        if (before != null) {
          problems.add(
              "output column '"
                  + out
                  + "' comes from both "
                  + before
                  + " and "
                  + owner
                  + (qualified ? "" : " (ask for view__feature names)"));
        }
      }
    }
    if (problems.isEmpty()
        && ts != null
        && !entities.filter(col("`" + timestampColumn + "`").isNull()).limit(1).isEmpty()) {
      problems.add("timestamp column '" + timestampColumn + "' has null values");
    }
    if (!problems.isEmpty()) {
      throw new EntityFrameException(
          "Cannot join features to the entity rows:\n  - " + String.join("\n  - ", problems));
    }
  }

  private static StructField field(StructType schema, String name) {
    for (StructField f : schema.fields()) {
      if (f.name().equals(name)) {
        return f;
      }
    }
    return null;
  }

  static long micros(Duration d) {
    return d.getSeconds() * 1_000_000L + d.getNano() / 1_000;
  }

  static long micros(Instant t) {
    return t.getEpochSecond() * 1_000_000L + t.getNano() / 1_000;
  }
}
