package dev.strata.offline;

import dev.strata.dsl.AggregationFunction;
import java.io.Serializable;
import java.util.ArrayDeque;
import java.util.Comparator;

/**
 * One sliding-window aggregation of one key, maintained incrementally as events enter (in event
 * time order) and leave the window {@code [t - w, t)}: O(1) amortized per event for count, sum,
 * avg, stddev and last, and for min and max through monotonic deques.
 */
final class WindowState {
  /** What the sweep needs to build one. */
  record Spec(AggregationFunction function, long windowMicros, int input, boolean integral)
      implements Serializable {}

  private static final Object ROW = new Object();

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static final Comparator<Object> NATURAL = (a, b) -> ((Comparable) a).compareTo(b);

  private final Spec spec;
  private final ArrayDeque<long[]> times = new ArrayDeque<>();
  private final ArrayDeque<Object> values = new ArrayDeque<>();
  private final ArrayDeque<Object[]> extremes = new ArrayDeque<>(); // {Long ts, value}
  private long n;
  private long longSum;
  private double sum;
  private double sumSq;

  WindowState(Spec spec) {
    this.spec = spec;
  }

  void reset() {
    times.clear();
    values.clear();
    extremes.clear();
    n = 0;
    longSum = 0;
    sum = 0;
    sumSq = 0;
  }

  /** Adds an event whose values are {@code row}; events arrive in event time order. */
  void add(long ts, Object[] row) {
    Object v = spec.input() < 0 ? ROW : row[spec.input()];
    if (v == null) {
      return;
    }
    times.addLast(new long[] {ts});
    values.addLast(v);
    n++;
    switch (spec.function()) {
      case SUM, AVG, STDDEV -> {
        if (spec.integral()) {
          long x = ((Number) v).longValue();
          longSum += x;
          sumSq += (double) x * x;
        } else {
          double x = ((Number) v).doubleValue();
          sum += x;
          sumSq += x * x;
        }
      }
      case MIN -> {
        while (!extremes.isEmpty() && NATURAL.compare(extremes.peekLast()[1], v) >= 0) {
          extremes.pollLast();
        }
        extremes.addLast(new Object[] {ts, v});
      }
      case MAX -> {
        while (!extremes.isEmpty() && NATURAL.compare(extremes.peekLast()[1], v) <= 0) {
          extremes.pollLast();
        }
        extremes.addLast(new Object[] {ts, v});
      }
      default -> {}
    }
  }

  /** Drops the events before {@code t - w}. */
  void evictBefore(long t) {
    long from = t - spec.windowMicros();
    while (!times.isEmpty() && times.peekFirst()[0] < from) {
      times.pollFirst();
      Object v = values.pollFirst();
      n--;
      switch (spec.function()) {
        case SUM, AVG, STDDEV -> {
          if (spec.integral()) {
            long x = ((Number) v).longValue();
            longSum -= x;
            sumSq -= (double) x * x;
          } else {
            double x = ((Number) v).doubleValue();
            sum -= x;
            sumSq -= x * x;
          }
        }
        default -> {}
      }
    }
    while (!extremes.isEmpty() && (Long) extremes.peekFirst()[0] < from) {
      extremes.pollFirst();
    }
    if (n == 0) {
      // no drift: an empty window starts again from exact zeros
      longSum = 0;
      sum = 0;
      sumSq = 0;
    }
  }

  boolean isEmpty() {
    return n == 0;
  }

  /** The aggregate over the events in the window now. */
  Object value() {
    switch (spec.function()) {
      case COUNT:
        return n;
      case SUM:
        if (n == 0) {
          return null;
        }
        return spec.integral() ? (Object) longSum : (Object) sum;
      case AVG:
        if (n == 0) {
          return null;
        }
        return (spec.integral() ? (double) longSum : sum) / n;
      case STDDEV:
        {
          if (n < 2) {
            return null;
          }
          double s = spec.integral() ? (double) longSum : sum;
          double var = (sumSq - s * s / n) / (n - 1);
          return Math.sqrt(Math.max(0, var));
        }
      case MIN:
      case MAX:
        return extremes.isEmpty() ? null : extremes.peekFirst()[1];
      case LAST:
        return values.isEmpty() ? null : values.peekLast();
      default:
        throw new IllegalStateException(spec.function().name());
    }
  }
}
