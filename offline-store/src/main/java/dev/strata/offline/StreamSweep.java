package dev.strata.offline;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.timestamp_micros;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.unix_micros;

import dev.strata.dsl.Feature;
import dev.strata.dsl.FeatureView;
import dev.strata.dsl.JoinKey;
import dev.strata.dsl.Source;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.OptionalLong;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The batch engine's sweep, run one key at a time on what a stream has seen so far: a stream job
 * keeps, per key, the events that later cadence points still need, and {@link #advance} turns them
 * and a micro-batch's new events into the rows of every point that the event-time watermark has
 * made final. The rows are those {@link PointInTime#atCadence} gives for the same events, because
 * the same {@link Sweep} computes them; a view of row-level features only gets, per key and event
 * time, the row its offline table holds (the greatest created time, then the greatest values).
 *
 * <p>A point {@code p} is final once the watermark {@code W} is past it ({@code p < W}): events
 * older than {@code W} are late and never reach the sweep, and an event at {@code p} or after it
 * changes no aggregation at {@code p} (they cover {@code [p - w, p)}) and no row-level feature.
 */
public final class StreamSweep implements Serializable {
  private static final long serialVersionUID = 1L;

  /** The time column of the rows {@link #advance} emits (micros): cadence point or event time. */
  public static final String TIME = "__time";

  private final SweepLayout layout;
  private final int rowFeatures;
  private final long ttlMicros;
  private final long cadenceMicros;
  private final long maxWindow;
  private final List<WindowState.Spec> windows;
  private final boolean aggregates;
  private final boolean tiesMatter;
  private final StructType pointSchema;
  private final transient PointInTime.Prepared prepared;
  private final transient FeatureView view;
  private final transient Source source;

  private StreamSweep(FeatureView view, Source source) {
    this.view = view;
    this.source = source;
    this.prepared =
        PointInTime.prepare(view, source, view.features().stream().map(Feature::name).toList());
    this.layout = prepared.layout(0);
    this.rowFeatures = prepared.rowFeatures;
    this.ttlMicros = PointInTime.micros(view.ttl());
    this.cadenceMicros = view.hasAggregations() ? PointInTime.micros(view.cadence()) : 0;
    this.maxWindow = prepared.maxWindow;
    this.windows = List.copyOf(prepared.windows);
    this.aggregates = view.hasAggregations();
    this.tiesMatter =
        rowFeatures > 0
            || windows.stream()
                .anyMatch(w -> w.function() == dev.strata.dsl.AggregationFunction.LAST);
    this.pointSchema = computePointSchema();
  }

  public static StreamSweep of(FeatureView view, Source source) {
    return new StreamSweep(view, source);
  }

  /** Whether the view has aggregations (rows at cadence points) or only row-level features. */
  public boolean aggregates() {
    return aggregates;
  }

  /** How many key columns the event and point rows start with. */
  public int keys() {
    return layout.keys();
  }

  /** The event-time column of an event row (micros). */
  public int timeIndex() {
    return layout.ts();
  }

  /** How many columns an event row has; a caller may append its own after them. */
  public int eventWidth() {
    return layout.names().size();
  }

  /**
   * An event row's columns, computed from the source's declared columns (as {@link
   * SourceFrames#normalize} gives them): the keys, the event time and created time in micros, the
   * feature inputs. Rows with a null key or event time are the caller's to set aside first.
   */
  public Column[] eventColumns() {
    List<Column> keys = new ArrayList<>();
    for (JoinKey k : prepared.keys) {
      keys.add(col(k.name()).cast(SparkTypes.of(k.type())));
    }
    Column created =
        source.createdTimestamp().isPresent()
            ? unix_micros(col(source.createdTimestamp().get()))
            : lit(null).cast(DataTypes.LongType);
    return layout.select(
        keys,
        unix_micros(col(source.eventTimestamp())),
        lit(Sweep.EVENT),
        created,
        new ArrayList<>(prepared.valueColumns.values()),
        List.of());
  }

  /** The schema of the rows {@link #advance} emits: the keys, {@value #TIME}, then the features. */
  public StructType pointSchema() {
    return pointSchema;
  }

  private StructType computePointSchema() {
    StructType schema = new StructType();
    for (JoinKey k : prepared.keys) {
      schema = schema.add(k.name(), SparkTypes.of(k.type()), true);
    }
    schema = schema.add(TIME, DataTypes.LongType, false);
    if (!aggregates) {
      schema = schema.add(SweepLayout.CREATED, DataTypes.LongType, true);
    }
    return PointInTime.addFeatureFields(schema, prepared, prepared.featureNames);
  }

  /**
   * From emitted rows ({@link #pointSchema}) to the view's offline table columns, those a backfill
   * writes: keys, {@value PointInTime#FEATURE_TIMESTAMP} (or the event and created times of a
   * row-level view), the features as declared, {@value OfflineStore#DATE_COLUMN}.
   */
  public Column[] offlineColumns() {
    List<Column> cols = new ArrayList<>();
    for (JoinKey k : prepared.keys) {
      cols.add(col(k.name()));
    }
    String time = OfflineStore.orderingColumn(view);
    cols.add(timestamp_micros(col(TIME)).as(time));
    if (!aggregates) {
      cols.add(timestamp_micros(col(SweepLayout.CREATED)).as(OfflineStore.CREATED_TIMESTAMP));
    }
    cols.addAll(PointInTime.featureColumns(prepared, prepared.featureNames));
    cols.add(to_date(timestamp_micros(col(TIME))).as(OfflineStore.DATE_COLUMN));
    return cols.toArray(Column[]::new);
  }

  /** The name of the time column in the offline table. */
  public String offlineTimeColumn() {
    return OfflineStore.orderingColumn(view);
  }

  /**
   * What one key's sweep gives: the rows of the points now final, the events later points still
   * need, the first point not emitted yet, and the time (micros) whose passing by the watermark
   * gives the key something to emit, if anything can.
   */
  public record Step(List<Row> rows, List<Row> retained, long nextPoint, OptionalLong finalAt)
      implements Serializable {}

  /** The first point of a key that has emitted nothing yet. */
  public static final long NO_POINT = Long.MIN_VALUE / 4;

  /**
   * Advances one key to the watermark.
   *
   * @param events the key's retained events and its new ones (not late), in any order, each in the
   *     layout of {@link #eventColumns} (extra trailing columns are ignored)
   * @param nextPoint the first point not emitted yet ({@link #NO_POINT} for a new key)
   * @param watermark the event-time watermark (micros): the points before it are emitted
   */
  public Step advance(List<Row> events, long nextPoint, long watermark) {
    List<Row> sorted = new ArrayList<>(events);
    sorted.sort(order());
    return aggregates
        ? advanceWindows(sorted, nextPoint, watermark)
        : advanceRows(sorted, watermark);
  }

  private Step advanceWindows(List<Row> sorted, long nextPoint, long watermark) {
    Sweep.Cadence cadence = new Sweep.Cadence(nextPoint, watermark - 1, cadenceMicros);
    Sweep sweep = new Sweep(layout, rowFeatures, ttlMicros, windows, cadence);
    List<Row> rows = new ArrayList<>();
    for (Iterator<Row> it = sweep.call(trimmed(sorted).iterator()); it.hasNext(); ) {
      rows.add(it.next());
    }
    // where the sweep started (as it does: not before the key's first event), then past the points
    // it emitted
    long started =
        sorted.isEmpty()
            ? nextPoint
            : Math.max(nextPoint, cadence.alignUp(sorted.get(0).getLong(layout.ts())));
    long next = Math.max(started, cadence.alignUp(watermark));
    // the events a point at or after `next` reads: those inside the longest window, and the newest
    // event before them (the row-level features' value and the sweep's "anything left" test)
    long from = next - maxWindow;
    List<Row> retained = new ArrayList<>();
    Row newestBefore = null;
    for (Row r : sorted) {
      if (r.getLong(layout.ts()) >= from) {
        retained.add(r);
      } else {
        newestBefore = r;
      }
    }
    if (newestBefore != null) {
      retained.add(0, newestBefore);
    }
    long newest =
        sorted.isEmpty() ? Long.MIN_VALUE : sorted.get(sorted.size() - 1).getLong(layout.ts());
    long span = maxWindow;
    if (rowFeatures > 0) {
      span = ttlMicros == 0 ? Long.MAX_VALUE / 4 : Math.max(span, ttlMicros);
    }
    boolean more = !sorted.isEmpty() && newest + span >= next;
    return new Step(
        rows,
        more ? retained : List.of(),
        next,
        more ? OptionalLong.of(next) : OptionalLong.empty());
  }

  /**
   * A row-level view: per event time before the watermark, the winning event as an offline row; the
   * later events wait.
   */
  private Step advanceRows(List<Row> sorted, long watermark) {
    List<Row> rows = new ArrayList<>();
    List<Row> retained = new ArrayList<>();
    int k = keys();
    for (int i = 0; i < sorted.size(); i++) {
      Row r = sorted.get(i);
      long ts = r.getLong(layout.ts());
      if (ts >= watermark) {
        retained.add(r);
        continue;
      }
      boolean winner = i + 1 == sorted.size() || sorted.get(i + 1).getLong(layout.ts()) != ts;
      if (!winner) {
        continue; // sorted by created time, then values: the last of a time wins
      }
      Object[] o = new Object[k + 2 + rowFeatures];
      for (int j = 0; j < k; j++) {
        o[j] = r.get(j);
      }
      o[k] = ts;
      o[k + 1] = r.get(layout.created());
      for (int j = 0; j < rowFeatures; j++) {
        o[k + 2 + j] = r.get(layout.value(j));
      }
      rows.add(RowFactory.create(o));
    }
    OptionalLong at =
        retained.isEmpty()
            ? OptionalLong.empty()
            : OptionalLong.of(retained.get(0).getLong(layout.ts()));
    return new Step(rows, retained, Long.MIN_VALUE, at);
  }

  /**
   * The rows without their trailing extra columns: the sweep checks nothing, but reads by index.
   */
  private List<Row> trimmed(List<Row> rows) {
    int width = eventWidth();
    List<Row> out = new ArrayList<>(rows.size());
    for (Row r : rows) {
      if (r.length() == width) {
        out.add(r);
      } else {
        Object[] o = new Object[width];
        for (int i = 0; i < width; i++) {
          o[i] = r.get(i);
        }
        out.add(RowFactory.create(o));
      }
    }
    return out;
  }

  /** The batch sweep's order within a key: time, then created time and values, nulls first. */
  private Comparator<Row> order() {
    int ts = layout.ts();
    int created = layout.created();
    int values = layout.values();
    Comparator<Row> c = Comparator.comparingLong(r -> r.getLong(ts));
    if (tiesMatter) {
      c = c.thenComparing(r -> r.isNullAt(created) ? null : r.getLong(created), NULLS_FIRST);
      for (int i = 0; i < values; i++) {
        int at = layout.value(i);
        c = c.thenComparing(r -> r.get(at), NULLS_FIRST);
      }
    }
    return c;
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static final Comparator<Object> NULLS_FIRST =
      Comparator.nullsFirst((a, b) -> ((Comparable) a).compareTo(b));
}
