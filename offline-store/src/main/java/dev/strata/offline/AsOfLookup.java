package dev.strata.offline;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.udf;
import static org.apache.spark.sql.functions.unix_micros;

import dev.strata.dsl.JoinKey;
import java.io.Serializable;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.api.java.UDF2;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The point-in-time join of row-level features when a view's events are small: the events, sorted
 * as the sweep sorts them, are collected once into per-key arrays (one entry per event time, the
 * tie-break winner), broadcast, and each entity row finds its latest event by a binary search. The
 * entity rows are neither shuffled nor sorted: they keep their partitions and their order.
 *
 * <p>"Small" is Spark's own rule for broadcasting a join side: the events' estimated size at most
 * {@code spark.sql.autoBroadcastJoinThreshold} (10 MB by default; -1 turns this path off). The
 * sweep ({@link Sweep}) serves everything else, and all aggregations.
 */
final class AsOfLookup implements UDF2<Object, Long, Row> {
  private static final long serialVersionUID = 1L;

  /** The most events a lookup holds (about 100 bytes each in memory); more are swept. */
  static final long MAX_EVENTS = 2_000_000;

  /** The lookup's name in query plans. */
  static final String NAME = "strata_asof_lookup";

  /**
   * One key's events: strictly increasing times and, per time, the winning event's values. A class,
   * not a record: Spark's Kryo serializer cannot write records.
   */
  static final class KeyEvents implements Serializable {
    private static final long serialVersionUID = 1L;
    final long[] ts;
    final Object[][] values;

    KeyEvents(long[] ts, Object[][] values) {
      this.ts = ts;
      this.values = values;
    }
  }

  private final Broadcast<HashMap<Object, KeyEvents>> byKey;
  private final long ttlMicros;

  private AsOfLookup(Broadcast<HashMap<Object, KeyEvents>> byKey, long ttlMicros) {
    this.byKey = byKey;
    this.ttlMicros = ttlMicros;
  }

  /** Whether the events are small enough to broadcast, by Spark's estimate of their size. */
  static boolean fits(Dataset<Row> events) {
    long threshold = events.sparkSession().sessionState().conf().autoBroadcastJoinThreshold();
    if (threshold < 0) {
      return false;
    }
    return events
            .queryExecution()
            .optimizedPlan()
            .stats()
            .sizeInBytes()
            .bigInteger()
            .compareTo(BigInteger.valueOf(threshold))
        <= 0;
  }

  /**
   * Collects the events and broadcasts them; empty when there are more than {@link #MAX_EVENTS}
   * (Spark's size estimate can be far below the rows' size in memory), so that the caller sweeps
   * instead. Rows are fetched one partition at a time, so at most that many are ever held.
   *
   * @param sorted the events in the sweep's layout (no entity columns), partitioned by key and
   *     sorted by key, time, created time and values, as {@link PointInTime} sorts the sweep's
   *     input: each key's rows arrive together
   */
  static Optional<AsOfLookup> of(Dataset<Row> sorted, SweepLayout layout, long ttlMicros) {
    return of(sorted, layout, ttlMicros, MAX_EVENTS);
  }

  /** As {@link #of(Dataset, SweepLayout, long)}, holding at most {@code maxEvents} events. */
  static Optional<AsOfLookup> of(
      Dataset<Row> sorted, SweepLayout layout, long ttlMicros, long maxEvents) {
    HashMap<Object, KeyEvents> byKey = new HashMap<>();
    List<Row> run = new ArrayList<>(); // the current key's rows
    Object runKey = null;
    long seen = 0;
    Iterator<Row> rows = sorted.toLocalIterator();
    while (rows.hasNext()) {
      Row row = rows.next();
      if (++seen > maxEvents) {
        return Optional.empty();
      }
      Object key = key(row, layout.keys());
      if (!run.isEmpty() && !key.equals(runKey)) {
        byKey.put(runKey, keyEvents(run, layout));
        run.clear();
      }
      runKey = key;
      run.add(row);
    }
    if (!run.isEmpty()) {
      byKey.put(runKey, keyEvents(run, layout));
    }
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(sorted.sparkSession().sparkContext());
    return Optional.of(new AsOfLookup(sc.broadcast(byKey), ttlMicros));
  }

  /** One key's rows, in order, as one entry per time: a later row of the same time wins. */
  private static KeyEvents keyEvents(List<Row> rows, SweepLayout layout) {
    long[] ts = new long[rows.size()];
    Object[][] v = new Object[rows.size()][];
    int n = 0;
    for (Row row : rows) {
      long t = row.getLong(layout.ts());
      if (n == 0 || ts[n - 1] != t) {
        n++;
      }
      ts[n - 1] = t;
      Object[] vs = new Object[layout.values()];
      for (int c = 0; c < vs.length; c++) {
        vs[c] = row.get(layout.value(c));
      }
      v[n - 1] = vs;
    }
    return new KeyEvents(Arrays.copyOf(ts, n), Arrays.copyOf(v, n));
  }

  /**
   * The entity rows with the looked-up values added as columns {@code names} (in the order of
   * {@code values}, typed as there; null where no event qualifies).
   *
   * @param keys the view's join keys, read from the entity rows' columns of the same names
   * @param values the event side's value columns, as the lookup holds them
   */
  Dataset<Row> joinTo(
      Dataset<Row> entities,
      String timestampColumn,
      List<JoinKey> keys,
      StructType values,
      List<String> names) {
    List<Column> keyCols = new ArrayList<>();
    for (JoinKey k : keys) {
      keyCols.add(col("`" + k.name() + "`").cast(SparkTypes.of(k.type())));
    }
    Column key = keyCols.size() == 1 ? keyCols.get(0) : struct(keyCols.toArray(Column[]::new));
    Column at = unix_micros(col("`" + timestampColumn + "`").cast(DataTypes.TimestampType));
    // nondeterministic, so that the optimizer calls it once per row, not once per feature
    Column value = udf(this, values).withName(NAME).asNondeterministic().apply(key, at);
    String hit = "__strata_found";
    while (List.of(entities.columns()).contains(hit)) {
      hit = "_" + hit;
    }
    List<Column> cols = new ArrayList<>();
    for (String c : entities.columns()) {
      cols.add(col("`" + c + "`"));
    }
    cols.add(value.as(hit));
    Dataset<Row> joined = entities.select(cols.toArray(Column[]::new));
    cols.remove(cols.size() - 1);
    for (int i = 0; i < names.size(); i++) {
      cols.add(col("`" + hit + "`").getField(values.fields()[i].name()).as(names.get(i)));
    }
    return joined.select(cols.toArray(Column[]::new));
  }

  /** The map key of a row's join keys: the value itself for one key, a list for several. */
  private static Object key(Row row, int keys) {
    if (keys == 1) {
      return row.get(0);
    }
    List<Object> k = new ArrayList<>(keys);
    for (int i = 0; i < keys; i++) {
      k.add(row.get(i));
    }
    return k;
  }

  /**
   * The values of the latest event of {@code key} at or before {@code t} within the TTL, or null.
   *
   * @param key the entity row's key: the value for one key column, a struct for several
   */
  @Override
  public Row call(Object key, Long t) {
    Object k = key;
    if (key instanceof Row r) {
      List<Object> parts = new ArrayList<>(r.size());
      for (int i = 0; i < r.size(); i++) {
        if (r.isNullAt(i)) {
          return null;
        }
        parts.add(r.get(i));
      }
      k = parts;
    }
    if (k == null || t == null) {
      return null;
    }
    KeyEvents e = byKey.value().get(k);
    if (e == null) {
      return null;
    }
    int at = Arrays.binarySearch(e.ts, t);
    int latest = at >= 0 ? at : -at - 2;
    if (latest < 0 || (ttlMicros != 0 && e.ts[latest] < t - ttlMicros)) {
      return null;
    }
    return RowFactory.create(e.values[latest]);
  }
}
