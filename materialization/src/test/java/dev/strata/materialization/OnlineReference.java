package dev.strata.materialization;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.dsl.FeatureView;
import dev.strata.offline.PointInTime;
import dev.strata.online.RedisOnlineStore;
import dev.strata.online.RedisOnlineStore.OnlineValue;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Row;

/**
 * The plain-loop reference of a materialization, for the tests of every module that runs one: what
 * Redis must hold after it, computed from the offline rows without Spark or Redis code.
 */
public final class OnlineReference {
  private OnlineReference() {}

  /**
   * Per key (the value of {@code keyColumn}), the row with the greatest feature time in [from,
   * end].
   */
  public static Map<String, Row> latest(
      List<Row> rows, String keyColumn, Instant from, Instant end) {
    Map<String, Row> out = new TreeMap<>();
    for (Row r : rows) {
      Instant t = time(r);
      if (t.isBefore(from) || t.isAfter(end)) {
        continue;
      }
      String key = r.getString(r.fieldIndex(keyColumn));
      Row best = out.get(key);
      if (best == null || time(best).isBefore(t)) {
        out.put(key, r);
      }
    }
    return out;
  }

  /**
   * Redis answers each key of {@code expected} (a single-column key) as of {@code now} with its
   * row: present, at the row's feature time, with the row's values of the view's features in order.
   */
  public static void assertRedisHolds(
      RedisOnlineStore store,
      FeatureView view,
      int version,
      Map<String, Row> expected,
      Instant now) {
    List<List<String>> keys = new ArrayList<>();
    expected.keySet().forEach(k -> keys.add(List.of(k)));
    List<OnlineValue> got = store.read(view, version, keys, now);
    for (int i = 0; i < keys.size(); i++) {
      Row e = expected.get(keys.get(i).get(0));
      OnlineValue v = got.get(i);
      assertThat(v.status()).as(keys.get(i).toString()).isEqualTo(RedisOnlineStore.Status.PRESENT);
      assertThat(v.eventMicros())
          .as(keys.get(i).toString())
          .isEqualTo(
              Materializer.micros(e.getTimestamp(e.fieldIndex(PointInTime.FEATURE_TIMESTAMP))));
      Object[] values = view.features().stream().map(f -> e.get(e.fieldIndex(f.name()))).toArray();
      assertThat(v.values()).as(keys.get(i).toString()).containsExactly(values);
    }
  }

  private static Instant time(Row r) {
    return r.getTimestamp(r.fieldIndex(PointInTime.FEATURE_TIMESTAMP)).toInstant();
  }
}
