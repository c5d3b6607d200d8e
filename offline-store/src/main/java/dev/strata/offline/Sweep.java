package dev.strata.offline;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * The per-key sorted sweep behind point-in-time joins and sliding windows (see {@code
 * offline-store/POINT-IN-TIME.md}).
 *
 * <p>Input: the union of a view's event rows and the query rows (entity rows, or none when the
 * sweep generates cadence points), partitioned by key and sorted by key, time, kind (events before
 * queries), created time (nulls first) and values, in the row layout of {@link SweepLayout}.
 *
 * <p>The sweep keeps, per key, the latest event (for row-level features) and one {@link
 * WindowState} per aggregation. Events with the same time as a query stay pending and do not enter
 * the windows, so an aggregation at {@code t} covers {@code [t - w, t)} while a row-level feature
 * at {@code t} sees events at {@code t} (both as DESIGN.md demands). Memory per key is the events
 * inside the longest window, never the key's whole history.
 */
final class Sweep implements MapPartitionsFunction<Row, Row>, Serializable {
  private static final long serialVersionUID = 1L;

  static final int EVENT = 0;
  static final int QUERY = 1;

  /** Where the rows that the sweep evaluates at come from. */
  record Cadence(long startMicros, long endMicros, long everyMicros) implements Serializable {
    long alignUp(long t) {
      return Math.floorDiv(t + everyMicros - 1, everyMicros) * everyMicros;
    }
  }

  private final SweepLayout layout;
  private final int keys;
  private final int rowFeatures;
  private final int values;
  private final int entityColumns;
  private final long ttlMicros;
  private final WindowState.Spec[] aggregations;

  /** Null: evaluate at query rows. Otherwise: evaluate at the cadence points of each key. */
  private final Cadence cadence;

  Sweep(
      SweepLayout layout,
      int rowFeatures,
      long ttlMicros,
      List<WindowState.Spec> aggregations,
      Cadence cadence) {
    this.layout = layout;
    this.keys = layout.keys();
    this.rowFeatures = rowFeatures;
    this.values = layout.values();
    this.entityColumns = layout.entityColumns();
    this.ttlMicros = ttlMicros;
    this.aggregations = aggregations.toArray(WindowState.Spec[]::new);
    this.cadence = cadence;
  }

  @Override
  public Iterator<Row> call(Iterator<Row> input) {
    return new Sweeper(input);
  }

  private final class Sweeper implements Iterator<Row> {
    private final Iterator<Row> input;
    private final List<Row> out = new ArrayList<>();
    private int outPos;
    private final WindowState[] windows = new WindowState[aggregations.length];
    private final long maxSpan;

    private Object[] key;
    private boolean keyHasNull;
    private boolean haveLast;
    private long lastTs;
    private Object[] lastValues;
    private long newestEventTs;
    private final List<Object[]> pending = new ArrayList<>();
    private long pendingTs;
    private long nextPoint;

    Sweeper(Iterator<Row> input) {
      this.input = input;
      long span = 0;
      for (int i = 0; i < aggregations.length; i++) {
        windows[i] = new WindowState(aggregations[i]);
        span = Math.max(span, aggregations[i].windowMicros());
      }
      if (rowFeatures > 0) {
        span = ttlMicros == 0 ? Long.MAX_VALUE / 4 : Math.max(span, ttlMicros);
      }
      maxSpan = span;
    }

    @Override
    public boolean hasNext() {
      while (outPos >= out.size()) {
        out.clear();
        outPos = 0;
        if (!input.hasNext()) {
          if (key != null) {
            endKey();
            key = null;
            continue;
          }
          return false;
        }
        step(input.next());
      }
      return true;
    }

    @Override
    public Row next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      return out.get(outPos++);
    }

    private void step(Row r) {
      if (key == null || !sameKey(r)) {
        if (key != null) {
          endKey();
        }
        startKey(r);
      }
      long ts = r.getLong(layout.ts());
      if (r.getInt(layout.kind()) == EVENT) {
        event(r, ts);
      } else {
        out.add(queryRow(r, ts));
      }
    }

    private boolean sameKey(Row r) {
      for (int i = 0; i < keys; i++) {
        if (!Objects.equals(key[i], r.get(i))) {
          return false;
        }
      }
      return true;
    }

    private void startKey(Row r) {
      key = new Object[keys];
      keyHasNull = false;
      for (int i = 0; i < keys; i++) {
        key[i] = r.get(i);
        keyHasNull |= key[i] == null;
      }
      haveLast = false;
      lastValues = null;
      pending.clear();
      for (WindowState w : windows) {
        w.reset();
      }
      nextPoint = Long.MIN_VALUE;
    }

    private void event(Row r, long ts) {
      if (keyHasNull) {
        return; // a null key matches nothing (events with null keys are filtered out before)
      }
      if (cadence != null) {
        if (nextPoint == Long.MIN_VALUE) {
          nextPoint = Math.max(cadence.alignUp(cadence.startMicros()), cadence.alignUp(ts));
        } else {
          pointsBefore(ts);
          if (nextPoint < ts && newestEventTs + maxSpan < nextPoint) {
            nextPoint = Math.max(nextPoint, cadence.alignUp(ts));
          }
        }
      }
      Object[] v = new Object[values];
      for (int i = 0; i < values; i++) {
        v[i] = r.get(layout.value(i));
      }
      if (!pending.isEmpty() && pendingTs < ts) {
        flush();
      }
      pending.add(v);
      pendingTs = ts;
      haveLast = true;
      lastTs = ts;
      lastValues = v;
      newestEventTs = ts;
    }

    /** Moves the pending events (all at {@code pendingTs}) into the windows. */
    private void flush() {
      for (Object[] v : pending) {
        for (WindowState w : windows) {
          w.add(pendingTs, v);
        }
      }
      pending.clear();
    }

    /** The feature values at time {@code t}: row-level features, then aggregations. */
    private Object[] featuresAt(long t) {
      Object[] f = new Object[rowFeatures + windows.length];
      if (keyHasNull) {
        for (int i = 0; i < windows.length; i++) {
          f[rowFeatures + i] =
              aggregations[i].function() == dev.strata.dsl.AggregationFunction.COUNT
                  ? (Object) 0L
                  : null;
        }
        return f;
      }
      if (haveLast && (ttlMicros == 0 || lastTs >= t - ttlMicros)) {
        System.arraycopy(lastValues, 0, f, 0, rowFeatures);
      }
      if (!pending.isEmpty() && pendingTs < t) {
        flush();
      }
      for (int i = 0; i < windows.length; i++) {
        windows[i].evictBefore(t);
        f[rowFeatures + i] = windows[i].value();
      }
      return f;
    }

    private boolean anyValue(long t) {
      if (haveLast && (ttlMicros == 0 || lastTs >= t - ttlMicros) && rowFeatures > 0) {
        return true;
      }
      for (WindowState w : windows) {
        if (!w.isEmpty()) {
          return true;
        }
      }
      return false;
    }

    private Row queryRow(Row r, long t) {
      Object[] f = featuresAt(t);
      Object[] o = new Object[entityColumns + f.length];
      for (int i = 0; i < entityColumns; i++) {
        o[i] = r.get(layout.entity(i));
      }
      System.arraycopy(f, 0, o, entityColumns, f.length);
      return RowFactory.create(o);
    }

    /** Emits the cadence points before {@code limit} (exclusive) at which the key has values. */
    private void pointsBefore(long limit) {
      while (nextPoint < limit && nextPoint <= cadence.endMicros()) {
        if (newestEventTs + maxSpan < nextPoint) {
          return; // nothing left in any window: the next event moves the point on
        }
        long p = nextPoint;
        Object[] f = featuresAt(p);
        if (anyValue(p)) {
          Object[] o = new Object[keys + 1 + f.length];
          System.arraycopy(key, 0, o, 0, keys);
          o[keys] = p;
          System.arraycopy(f, 0, o, keys + 1, f.length);
          out.add(RowFactory.create(o));
        }
        nextPoint += cadence.everyMicros();
      }
    }

    private void endKey() {
      if (cadence != null && nextPoint != Long.MIN_VALUE && !keyHasNull) {
        pointsBefore(Long.MAX_VALUE);
      }
    }
  }
}
