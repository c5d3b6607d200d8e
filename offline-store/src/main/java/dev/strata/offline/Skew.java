package dev.strata.offline;

import static org.apache.spark.sql.functions.abs;
import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import dev.strata.dsl.Feature;
import dev.strata.dsl.FeatureView;
import dev.strata.dsl.Features;
import dev.strata.dsl.JoinKey;
import dev.strata.dsl.Metadata;
import dev.strata.dsl.Source;
import dev.strata.dsl.TableLocation;
import dev.strata.dsl.ValueType;
import dev.strata.errors.NotFoundException;
import dev.strata.registry.NotRegisteredException;
import dev.strata.registry.Registered;
import dev.strata.registry.RegistryStore;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;

/**
 * Online/offline skew, the way Chronon measures consistency: every served value in the served-
 * feature log ({@link ServedLog}) is compared with what the view's offline table gives for the same
 * keys at the same instant (the request's {@code as_of}), point in time: the table's latest row at
 * or before it, within the view's TTL. That is the value the online store should hold once
 * materialization has caught up, so a difference is skew: a stale or missed materialization, a
 * value written by other means, or a bug.
 *
 * <p>Per served value: a <em>match</em> when both sides have it and it is equal (typed, so a float
 * compares as a float) or when neither side has it; <em>missing online</em> when only the offline
 * table has it; <em>missing offline</em> when only the server had it; else it <em>differs</em>.
 * Numeric features also get the symmetric mean absolute percentage error (SMAPE, 0 to 2) over the
 * values both sides have.
 */
public final class Skew {
  /** The marker column: the time of the offline row that answered, null when none did. */
  private static final String FOUND = "skew_offline_time";

  /** The offline table's time column, renamed for the as-of join. */
  private static final String ROW_TIME = "skew_row_time";

  private Skew() {}

  /** One feature's comparison. */
  public record FeatureSkew(
      String view,
      int viewVersion,
      String feature,
      long values,
      long matched,
      long missingOnline,
      long missingOffline,
      long differ,
      double smape) {
    public double matchShare() {
      return values == 0 ? Double.NaN : (double) matched / values;
    }
  }

  /**
   * What {@link #compare} found: per feature, and every served value that did not match (columns:
   * the log's, then {@code offline_value} as text and {@code outcome}).
   */
  public record Result(List<FeatureSkew> features, Dataset<Row> mismatches) {}

  /**
   * Compares every served value in {@code log} (rows of the {@link ServedLog} table) with the
   * offline tables of the view versions that served them.
   *
   * @throws NotFoundException when a view version in the log has no offline table
   */
  public static Result compare(RegistryStore registry, Dataset<Row> log) {
    List<Row> versions =
        log.select("view", "view_version")
            .distinct()
            .orderBy("view", "view_version")
            .collectAsList();
    List<FeatureSkew> features = new ArrayList<>();
    Dataset<Row> mismatches = null;
    for (Row v : versions) {
      String name = v.getString(0);
      int version = v.getInt(1);
      Registered<FeatureView> reg =
          registry
              .registeredView(name, version)
              .orElseThrow(
                  () ->
                      new NotRegisteredException(
                          "the log names feature view '"
                              + name
                              + "' v"
                              + version
                              + ", which is not registered"));
      TableLocation table =
          registry
              .offlineTable(name, version)
              .orElseThrow(
                  () ->
                      new NotFoundException(
                          "feature view '"
                              + name
                              + "' v"
                              + version
                              + " has no offline table to compare the log with: run 'strata"
                              + " backfill "
                              + name
                              + "' first"))
              .table();
      Dataset<Row> served =
          log.filter(col("view").equalTo(name).and(col("view_version").equalTo(version)));
      // computed once: the summary, the listed keys, their count and an output all read it
      Dataset<Row> compared = Quality.computeOnce(compareView(reg.definition(), table, served));
      features.addAll(summarize(compared, reg.definition(), version));
      Dataset<Row> bad = compared.filter(col("outcome").notEqual("match"));
      mismatches = mismatches == null ? bad : mismatches.unionByName(bad);
    }
    return new Result(features, mismatches);
  }

  /** The served rows of one view version, each with its offline value and outcome. */
  private static Dataset<Row> compareView(
      FeatureView view, TableLocation table, Dataset<Row> served) {
    org.apache.spark.sql.SparkSession spark = served.sparkSession();
    List<String> names = new ArrayList<>();
    for (Row r : served.select("feature").distinct().collectAsList()) {
      names.add(r.getString(0));
    }
    List<Feature> compared = new ArrayList<>();
    for (Feature f : view.features()) {
      if (names.contains(f.name())) {
        compared.add(f);
      }
    }
    // the requests' entity rows, keys typed as the view's
    List<Column> querySelect = new ArrayList<>();
    // a request is its id and its time: a client may send the same id twice
    querySelect.add(col("request_id"));
    querySelect.add(col("request_time"));
    querySelect.add(col("entity_row"));
    querySelect.add(col("as_of"));
    for (JoinKey k : view.joinKeys()) {
      querySelect.add(col("entity").getItem(k.name()).cast(SparkTypes.of(k.type())).as(k.name()));
    }
    Dataset<Row> queries = served.select(querySelect.toArray(Column[]::new)).distinct();

    String time =
        view.hasAggregations() ? PointInTime.FEATURE_TIMESTAMP : OfflineStore.EVENT_TIMESTAMP;
    // the table's time column under a name of its own: sources may not use the reserved ones
    Dataset<Row> offline =
        Tables.read(spark, table, Optional.empty()).withColumnRenamed(time, ROW_TIME);
    PointInTime.Request request = asOfTable(view, table, compared, offline);
    Dataset<Row> answered =
        PointInTime.join(queries, "as_of", List.of(request), false)
            .drop("as_of")
            .drop(view.joinKeys().stream().map(JoinKey::name).toArray(String[]::new));

    Dataset<Row> joined =
        served
            .as("s")
            .join(
                answered.as("o"),
                col("s.request_id")
                    .equalTo(col("o.request_id"))
                    .and(col("s.request_time").equalTo(col("o.request_time")))
                    .and(col("s.entity_row").equalTo(col("o.entity_row"))),
                "left");
    Column offlineText = lit(null).cast("string");
    Column equal = lit(false);
    Column smape = lit(null).cast("double");
    for (Feature f : compared) {
      Column is = col("s.feature").equalTo(f.name());
      DataType type = SparkTypes.of(f.type());
      Column servedValue = col("s.value").cast(type);
      Column offlineValue = col("o.`" + f.name() + "`");
      offlineText = when(is, offlineValue.cast("string")).otherwise(offlineText);
      equal = when(is, servedValue.eqNullSafe(offlineValue)).otherwise(equal);
      if (f.type().isNumeric()) {
        Column a = servedValue.cast("double");
        Column b = offlineValue.cast("double");
        Column term =
            when(a.equalTo(b), lit(0.0))
                .otherwise(abs(a.minus(b)).multiply(2).divide(abs(a).plus(abs(b))));
        smape = when(is, term).otherwise(smape);
      }
    }
    Column servedHas = col("s.status").equalTo("PRESENT");
    Column offlineHas = col("o." + FOUND).isNotNull();
    Column outcome =
        when(servedHas.and(offlineHas), when(equal, lit("match")).otherwise(lit("differ")))
            .when(servedHas, lit("missing_offline"))
            .when(offlineHas, lit("missing_online"))
            .otherwise(lit("match"));
    List<Column> out = new ArrayList<>();
    for (String c : served.columns()) {
      out.add(col("s.`" + c + "`"));
    }
    out.add(offlineText.as("offline_value"));
    out.add(col("o." + FOUND).as("offline_time"));
    out.add(outcome.as("outcome"));
    out.add(when(servedHas.and(offlineHas), smape).as("smape"));
    return joined.select(out.toArray(Column[]::new));
  }

  /**
   * A point-in-time request that reads the view's offline table as its events: a row-level view
   * with the same keys and TTL whose features are the table's columns, plus the row's time.
   */
  private static PointInTime.Request asOfTable(
      FeatureView view, TableLocation table, List<Feature> features, Dataset<Row> offline) {
    Source.Builder source =
        Source.builder(view.name() + "_offline")
            .at(table.format(), table.location())
            .eventTimestamp(ROW_TIME)
            .column(ROW_TIME, ValueType.TIMESTAMP);
    Set<String> columns = new LinkedHashSet<>();
    for (JoinKey k : view.joinKeys()) {
      source.column(k.name(), k.type());
      columns.add(k.name());
    }
    List<Feature> typed = new ArrayList<>();
    for (Feature f : features) {
      source.column(f.name(), f.type());
      typed.add(
          Feature.restore(
              f.name(),
              Feature.Kind.ROW,
              Features.col(f.name()),
              null,
              null,
              f.type(),
              null,
              false));
    }
    typed.add(
        Feature.restore(
            FOUND,
            Feature.Kind.ROW,
            Features.col(ROW_TIME),
            null,
            null,
            ValueType.TIMESTAMP,
            null,
            false));
    Source src = source.build();
    FeatureView asOf =
        FeatureView.restore(
            view.name(),
            view.entities(),
            view.joinKeys(),
            src.name(),
            view.ttl(),
            view.cadence(),
            typed,
            true,
            Metadata.EMPTY);
    return new PointInTime.Request(asOf, src, offline, typed.stream().map(Feature::name).toList());
  }

  private static List<FeatureSkew> summarize(Dataset<Row> compared, FeatureView view, int version) {
    List<Row> rows =
        compared
            .groupBy("feature")
            .agg(
                count(lit(1)),
                sum(when(col("outcome").equalTo("match"), 1).otherwise(0)),
                sum(when(col("outcome").equalTo("missing_online"), 1).otherwise(0)),
                sum(when(col("outcome").equalTo("missing_offline"), 1).otherwise(0)),
                sum(when(col("outcome").equalTo("differ"), 1).otherwise(0)),
                avg(col("smape")))
            .collectAsList();
    List<FeatureSkew> out = new ArrayList<>();
    for (Feature f : view.features()) {
      for (Row r : rows) {
        if (r.getString(0).equals(f.name())) {
          out.add(
              new FeatureSkew(
                  view.name(),
                  version,
                  f.name(),
                  r.getLong(1),
                  r.getLong(2),
                  r.getLong(3),
                  r.getLong(4),
                  r.getLong(5),
                  r.isNullAt(6) ? Double.NaN : r.getDouble(6)));
        }
      }
    }
    return out;
  }
}
