package dev.strata.offline;

import static dev.strata.offline.PointInTime.FEATURE_TIMESTAMP;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.unix_micros;

import dev.strata.dsl.Feature;
import dev.strata.dsl.JoinKey;
import dev.strata.errors.InvalidInputException;
import dev.strata.offline.PointInTime.Request;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Historical retrieval without entity rows, on the point-in-time engine: every key's values at each
 * cadence point of a range ({@link #atCadence}), or its latest values at an instant ({@link
 * #latest}). The views asked for must share their join keys, on which they are joined.
 *
 * <pre>{@code
 * Dataset<Row> rows = RetrievalWithoutEntities.latest(List.of(PointInTime.request(view, source, events)),
 *     Instant.parse("2001-01-10T06:00:00Z"), false);
 * }</pre>
 */
public final class RetrievalWithoutEntities {
  private RetrievalWithoutEntities() {}

  /**
   * Entity-less retrieval at cadence points: each request's values for every key at each of its
   * view's cadence points in {@code [start, end]} where the view holds something (as its offline
   * table would), the views joined on their keys and {@value #FEATURE_TIMESTAMP} (a full outer
   * join: a point where one view holds nothing has nulls for its features). Rows: the join keys,
   * {@value #FEATURE_TIMESTAMP}, the features.
   *
   * @throws InvalidInputException when the views do not share their join keys, or output names
   *     collide
   */
  public static Dataset<Row> atCadence(
      List<Request> requests, Instant start, Instant end, boolean qualified) {
    List<JoinKey> keys = commonKeys(requests, qualified);
    List<String> using = new ArrayList<>();
    keys.forEach(k -> using.add(k.name()));
    using.add(FEATURE_TIMESTAMP);
    Dataset<Row> out = null;
    for (Request r : requests) {
      List<Column> cols = new ArrayList<>();
      using.forEach(c -> cols.add(col(c)));
      for (String f : r.features()) {
        cols.add(col("`" + f + "`").as(qualified ? r.view().name() + "__" + f : f));
      }
      Dataset<Row> one =
          PointInTime.atCadence(r.view(), r.source(), r.events(), start, end)
              .select(cols.toArray(Column[]::new));
      out =
          out == null
              ? one
              : out.join(
                  one, scala.collection.JavaConverters.asScalaBuffer(using).toSeq(), "full_outer");
    }
    return out;
  }

  /**
   * Entity-less retrieval of the latest values as of {@code end}: one row per key for which any
   * requested view holds a row at {@code end}, as its offline table would at a cadence point there
   * (an event within the TTL at or before {@code end}, for a view with row-level features, or in
   * its longest window before {@code end}), with the point-in-time values at {@code end}. Rows: the
   * join keys, {@value #FEATURE_TIMESTAMP} (= {@code end}), the features.
   *
   * @throws InvalidInputException when the views do not share their join keys, or output names
   *     collide
   */
  public static Dataset<Row> latest(List<Request> requests, Instant end, boolean qualified) {
    List<JoinKey> keys = commonKeys(requests, qualified);
    Dataset<Row> entities = null;
    long at = PointInTime.micros(end);
    for (Request r : requests) {
      // the view's own rule for holding a row at a point, whichever features are asked for
      boolean rowFeatures = r.view().features().stream().anyMatch(f -> !f.isAggregate());
      long maxWindow =
          r.view().features().stream()
              .filter(Feature::isAggregate)
              .mapToLong(f -> PointInTime.micros(f.window().orElseThrow()))
              .max()
              .orElse(0);
      Column t = unix_micros(col(r.source().eventTimestamp()));
      Column holds = lit(false);
      if (rowFeatures) {
        long ttl = PointInTime.micros(r.view().ttl());
        holds = holds.or(t.leq(at).and(ttl == 0 ? lit(true) : t.geq(at - ttl)));
      }
      if (maxWindow > 0) {
        holds = holds.or(t.lt(at).and(t.geq(at - maxWindow)));
      }
      List<Column> keyCols = new ArrayList<>();
      Column notNull = lit(true);
      for (JoinKey k : keys) {
        keyCols.add(col(k.name()).cast(SparkTypes.of(k.type())).as(k.name()));
        notNull = notNull.and(col(k.name()).isNotNull());
      }
      Dataset<Row> held =
          r.events().filter(holds.and(notNull)).select(keyCols.toArray(Column[]::new));
      entities = entities == null ? held : entities.union(held);
    }
    Dataset<Row> rows =
        entities.distinct().withColumn(FEATURE_TIMESTAMP, lit(java.sql.Timestamp.from(end)));
    return PointInTime.join(rows, FEATURE_TIMESTAMP, requests, qualified);
  }

  /** The join keys all requests share, after checking that their output names are distinct. */
  private static List<JoinKey> commonKeys(List<Request> requests, boolean qualified) {
    if (requests.isEmpty()) {
      throw new InvalidInputException("no features asked for");
    }
    List<JoinKey> keys = requests.get(0).view().joinKeys();
    Map<String, String> outputs = new HashMap<>();
    keys.forEach(k -> outputs.put(k.name(), "the join keys"));
    outputs.put(FEATURE_TIMESTAMP, "the cadence point");
    for (Request r : requests) {
      if (!r.view().joinKeys().equals(keys)) {
        throw new InvalidInputException(
            "retrieval without entity rows joins views on their keys, but feature view '"
                + requests.get(0).view().name()
                + "' has keys "
                + keys
                + " and feature view '"
                + r.view().name()
                + "' has "
                + r.view().joinKeys()
                + ": ask for views with the same keys, or give entity rows");
      }
      for (String f : r.features()) {
        String out = qualified ? r.view().name() + "__" + f : f;
        String before = outputs.putIfAbsent(out, "feature view '" + r.view().name() + "'");
        if (before != null) {
          throw new InvalidInputException(
              "output column '"
                  + out
                  + "' comes from both "
                  + before
                  + " and feature view '"
                  + r.view().name()
                  + "'"
                  + (qualified ? "" : " (ask for view__feature names)"));
        }
      }
    }
    return keys;
  }
}
