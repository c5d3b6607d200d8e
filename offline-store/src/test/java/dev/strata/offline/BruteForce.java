package dev.strata.offline;

import dev.strata.dsl.AggregationFunction;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * The reference: DESIGN.md's point-in-time and window semantics as plain loops over all events,
 * written without looking at the sweep.
 */
final class BruteForce {
  private BruteForce() {}

  /** One source event: keys, event time, created time (nullable), values by name. */
  record Event(List<Object> keys, Instant ts, Instant created, List<Object> values) {}

  /** Events in the order that decides ties: event time, created time (nulls lowest), values. */
  static final Comparator<Event> ORDER =
      Comparator.comparing(Event::ts)
          .thenComparing(Event::created, Comparator.nullsFirst(Comparator.naturalOrder()))
          .thenComparing(Event::values, BruteForce::compareValues);

  @SuppressWarnings({"unchecked", "rawtypes"})
  static int compareValues(List<Object> a, List<Object> b) {
    for (int i = 0; i < a.size(); i++) {
      Object x = a.get(i);
      Object y = b.get(i);
      int c = x == null ? (y == null ? 0 : -1) : y == null ? 1 : ((Comparable) x).compareTo(y);
      if (c != 0) {
        return c;
      }
    }
    return 0;
  }

  static boolean keyMatches(List<Object> entityKeys, List<Object> eventKeys) {
    for (int i = 0; i < entityKeys.size(); i++) {
      if (entityKeys.get(i) == null || !Objects.equals(entityKeys.get(i), eventKeys.get(i))) {
        return false;
      }
    }
    return true;
  }

  /** The latest event with {@code t - ttl <= ts <= t} (no lower bound for a zero TTL), or null. */
  static Event latest(List<Event> events, List<Object> keys, Instant t, Duration ttl) {
    Event best = null;
    for (Event e : events) {
      if (!keyMatches(keys, e.keys()) || e.ts().isAfter(t)) {
        continue;
      }
      if (!ttl.isZero() && e.ts().isBefore(t.minus(ttl))) {
        continue;
      }
      if (best == null || ORDER.compare(e, best) > 0) {
        best = e;
      }
    }
    return best;
  }

  /** An aggregation over the events with {@code t - w <= ts < t}. */
  static Object aggregate(
      List<Event> events,
      List<Object> keys,
      Instant t,
      AggregationFunction fn,
      Duration w,
      Function<Event, Object> input) {
    List<Event> in = new ArrayList<>();
    for (Event e : events) {
      if (keyMatches(keys, e.keys()) && !e.ts().isBefore(t.minus(w)) && e.ts().isBefore(t)) {
        if (input == null || input.apply(e) != null) {
          in.add(e);
        }
      }
    }
    in.sort(ORDER);
    switch (fn) {
      case COUNT:
        return (long) in.size();
      case SUM:
        {
          if (in.isEmpty()) {
            return null;
          }
          Object first = input.apply(in.get(0));
          if (first instanceof Long) {
            long s = 0;
            for (Event e : in) {
              s += (Long) input.apply(e);
            }
            return s;
          }
          double s = 0;
          for (Event e : in) {
            s += ((Number) input.apply(e)).doubleValue();
          }
          return s;
        }
      case AVG:
        {
          if (in.isEmpty()) {
            return null;
          }
          double s = 0;
          for (Event e : in) {
            s += ((Number) input.apply(e)).doubleValue();
          }
          return s / in.size();
        }
      case STDDEV:
        {
          if (in.size() < 2) {
            return null;
          }
          double mean = 0;
          for (Event e : in) {
            mean += ((Number) input.apply(e)).doubleValue();
          }
          mean /= in.size();
          double ss = 0;
          for (Event e : in) {
            double d = ((Number) input.apply(e)).doubleValue() - mean;
            ss += d * d;
          }
          return Math.sqrt(ss / (in.size() - 1));
        }
      case MIN:
      case MAX:
        {
          Object best = null;
          for (Event e : in) {
            @SuppressWarnings({"unchecked", "rawtypes"})
            Comparable v = (Comparable) input.apply(e);
            @SuppressWarnings("unchecked")
            boolean better =
                best == null
                    || (fn == AggregationFunction.MIN
                        ? v.compareTo(best) < 0
                        : v.compareTo(best) > 0);
            if (better) {
              best = v;
            }
          }
          return best;
        }
      case LAST:
        return in.isEmpty() ? null : input.apply(in.get(in.size() - 1));
      default:
        throw new IllegalArgumentException(fn.name());
    }
  }
}
