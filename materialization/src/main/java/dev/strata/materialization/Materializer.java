package dev.strata.materialization;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;

import dev.strata.dsl.Feature;
import dev.strata.dsl.FeatureView;
import dev.strata.dsl.JoinKey;
import dev.strata.dsl.Snapshot;
import dev.strata.dsl.TableLocation;
import dev.strata.errors.InvalidInputException;
import dev.strata.errors.NotFoundException;
import dev.strata.offline.OfflineStore;
import dev.strata.offline.PointInTime;
import dev.strata.offline.Progress;
import dev.strata.offline.Quality;
import dev.strata.offline.Tables;
import dev.strata.online.RedisEndpoint;
import dev.strata.online.RedisOnlineStore;
import dev.strata.online.RedisOnlineStore.OnlineRow;
import dev.strata.registry.DefinitionCodec;
import dev.strata.registry.JobKind;
import dev.strata.registry.LineageEdge;
import dev.strata.registry.LineageId;
import dev.strata.registry.LineageNode;
import dev.strata.registry.Registered;
import dev.strata.registry.RegistryStore;
import dev.strata.registry.RunQuality;
import dev.strata.registry.RunRecord;
import dev.strata.registry.RunTracker;
import dev.strata.registry.Watermark;
import java.io.Serializable;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.api.java.function.ForeachPartitionFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.util.LongAccumulator;

/**
 * Loads the latest feature values of a view from its offline table into the online store: per
 * entity key, the row with the greatest time in {@code [start, end]}, written from the executors in
 * pipelined batches (never collected to the driver). Redis keeps the newer value when one is there
 * already, so reruns and overlapping intervals are idempotent.
 *
 * <p>Incremental runs start at the view's watermark: the end of the newest completed
 * materialization of the view's current version into the same online store (by {@link
 * RedisEndpoint#identity()}: a new, empty Redis starts from the beginning), as the registry records
 * it. A run is recorded as completed only after every partition has written, so a run that dies
 * part-way leaves the watermark where it was and the next run covers its interval again.
 */
public final class Materializer {
  public static final JobKind JOB = JobKind.MATERIALIZE;

  /** The run property naming the online store a run wrote to ({@link RedisEndpoint#identity()}). */
  public static final String ONLINE_STORE = "online_store";

  /** Rows per Redis pipeline. */
  static final int BATCH = 1_000;

  private final SparkSession spark;
  private final RegistryStore registry;
  private final String redisUrl;
  private final String onlineStore;

  /**
   * @throws IllegalArgumentException for a Redis URL that is not one, before any work
   */
  public Materializer(SparkSession spark, RegistryStore registry, String redisUrl) {
    this.spark = spark;
    this.registry = registry;
    this.redisUrl = redisUrl;
    this.onlineStore = RedisEndpoint.parse(redisUrl).identity();
  }

  /** What a run wrote. */
  public record Result(
      String view,
      int version,
      Instant start,
      Instant end,
      long rows,
      long written,
      Snapshot offlineSnapshot,
      RunRecord run) {}

  /**
   * The view's watermark in this online store: where its next incremental run starts, if it has
   * one. Only completed runs move it (a failed, abandoned or running run moves nothing).
   */
  public Optional<Instant> watermark(String viewName) {
    Registered<FeatureView> reg = view(viewName);
    return registry.watermark(viewName, reg.version(), onlineStore).map(Watermark::end);
  }

  /** From the watermark (or the beginning) to {@code end}. */
  public Result materializeIncremental(String viewName, Instant end) {
    return materialize(viewName, watermark(viewName).orElse(Instant.EPOCH), end);
  }

  public Result materialize(String viewName, Instant start, Instant end) {
    if (end.isBefore(start)) {
      throw new InvalidInputException(
          "materialize '" + viewName + "': end " + end + " is before start " + start);
    }
    Registered<FeatureView> reg = view(viewName);
    FeatureView view = reg.definition();
    if (!view.online()) {
      throw new InvalidInputException("feature view '" + viewName + "' is offline only");
    }
    TableLocation table =
        registry
            .offlineTable(viewName, reg.version())
            .orElseThrow(
                () ->
                    new NotFoundException(
                        "feature view '"
                            + viewName
                            + "' v"
                            + reg.version()
                            + " has no offline table yet: run 'strata backfill "
                            + viewName
                            + "' first"))
            .table();
    // the table's snapshot now: a backfill of other days since the catalog's entry is included
    Snapshot snapshot =
        Tables.currentSnapshot(spark, table)
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "feature view '"
                            + viewName
                            + "': its offline table "
                            + table
                            + " is gone"));
    String tableNode = LineageId.offlineTable(table, snapshot).toString();

    String timeColumn =
        view.hasAggregations() ? PointInTime.FEATURE_TIMESTAMP : OfflineStore.EVENT_TIMESTAMP;
    Instant from = start;
    if (!view.ttl().isZero() && end.minus(view.ttl()).isAfter(from)) {
      from = end.minus(view.ttl()); // older rows would be expired at the end of the interval
    }
    List<Column> keys = new ArrayList<>();
    for (JoinKey k : view.joinKeys()) {
      keys.add(col(k.name()));
    }
    List<Column> select = new ArrayList<>(keys);
    select.add(col(timeColumn));
    for (Feature f : view.features()) {
      select.add(col(f.name()));
    }
    Dataset<Row> latest =
        Tables.read(spark, table, Optional.of(snapshot))
            .filter(
                col(timeColumn)
                    .geq(lit(Timestamp.from(from)))
                    .and(col(timeColumn).leq(lit(Timestamp.from(end)))))
            .select(select.toArray(Column[]::new));

    RunRecord started =
        RunRecord.started(
            JOB,
            List.of(LineageId.parse(tableNode), reg.lineageId()),
            Map.of(
                "view",
                viewName,
                "version",
                Integer.toString(reg.version()),
                "start",
                start.toString(),
                "end",
                end.toString(),
                ONLINE_STORE,
                onlineStore));
    return RunTracker.run(
        registry,
        started,
        run -> {
          // the rows the run writes, one per key, measured and checked before any Redis write
          RunQuality quality =
              Quality.gate(
                  registry,
                  run,
                  RunQuality.Subject.view(viewName, reg.version()),
                  newestPerKey(latest, keys, timeColumn),
                  Quality.features(view),
                  List.of(
                      new Quality.Checks(
                          viewName,
                          view.expectations(),
                          Optional.of(timeColumn),
                          Optional.of(end))),
                  "materialization of '" + viewName + "'");
          Progress.phase(spark, "latest values of '" + view.name() + "' into Redis");
          Written w = write(spark, latest, redisUrl, view, reg.version());
          LineageId runNode = LineageId.run(LineageNode.MATERIALIZATION_RUN, run.record().id());
          LineageId tableId = LineageId.parse(tableNode);
          registry.recordLineage(
              List.of(
                  LineageNode.of(
                      runNode,
                      Map.of(
                          "view",
                          viewName,
                          "view_version",
                          Integer.toString(reg.version()),
                          "start",
                          start.toString(),
                          "end",
                          end.toString(),
                          "rows",
                          Long.toString(w.rows())))),
              List.of(
                  new LineageEdge(tableId, runNode), new LineageEdge(reg.lineageId(), runNode)));
          RunRecord done =
              run.complete(
                  List.of(runNode),
                  new Watermark(
                      viewName, reg.version(), onlineStore, end, run.record().id(), Instant.now()),
                  quality.committedAs(snapshot));
          return new Result(
              viewName, reg.version(), start, end, w.rows(), w.written(), snapshot, done);
        });
  }

  /** What a write did: rows offered (one per key), values stored (newer than what was there). */
  public record Written(long rows, long written) {}

  /**
   * Writes the newest row of each key of {@code rows} into the online store, from the executors in
   * pipelined batches; Redis keeps a stored value that is newer. The rows are the view's offline
   * rows: the join keys, the time ({@value PointInTime#FEATURE_TIMESTAMP} or event time), the
   * features in the view's order. A stream writes its micro-batches through this too.
   */
  public static Written write(
      SparkSession spark, Dataset<Row> rows, String redisUrl, FeatureView view, int version) {
    List<Column> keys = new ArrayList<>();
    for (JoinKey k : view.joinKeys()) {
      keys.add(col(k.name()));
    }
    String timeColumn =
        view.hasAggregations() ? PointInTime.FEATURE_TIMESTAMP : OfflineStore.EVENT_TIMESTAMP;
    List<Column> order = new ArrayList<>(keys);
    order.add(col(timeColumn).desc());
    // every row of a key in one partition, newest first: the writer keeps the first row of each
    // key (cheaper than a window's row_number, which sorts the same way and then filters)
    Dataset<Row> sorted =
        rows.repartition(keys.toArray(Column[]::new))
            .sortWithinPartitions(order.toArray(Column[]::new));
    LongAccumulator offered = spark.sparkContext().longAccumulator("rows");
    LongAccumulator written = spark.sparkContext().longAccumulator("written");
    sorted.foreachPartition(new WritePartition(redisUrl, view, version, offered, written));
    return new Written(offered.value(), written.value());
  }

  /** The newest row of each key: the rows the writer keeps. */
  private static Dataset<Row> newestPerKey(Dataset<Row> rows, List<Column> keys, String time) {
    return rows.withColumn(
            "__newest",
            row_number()
                .over(Window.partitionBy(keys.toArray(Column[]::new)).orderBy(col(time).desc())))
        .filter(col("__newest").equalTo(1))
        .drop("__newest");
  }

  private Registered<FeatureView> view(String name) {
    return registry.requireView(name);
  }

  /**
   * Writes one partition's rows through the Spark-free online store, in pipelined batches. The rows
   * come grouped by key, newest first; only the first row of each key is written.
   */
  static final class WritePartition implements ForeachPartitionFunction<Row>, Serializable {
    private static final long serialVersionUID = 1L;
    private final String url;

    /** The view's registry JSON: definitions travel to executors as data. */
    private final String viewJson;

    private final int version;
    private final LongAccumulator rows;
    private final LongAccumulator written;

    WritePartition(
        String url, FeatureView view, int version, LongAccumulator rows, LongAccumulator written) {
      this.url = url;
      this.viewJson = DefinitionCodec.toJson(view);
      this.version = version;
      this.rows = rows;
      this.written = written;
    }

    @Override
    public void call(Iterator<Row> it) {
      long delay = Long.getLong("strata.materialize.batchDelayMs", 0);
      FeatureView view = DefinitionCodec.fromJson(viewJson, FeatureView.class);
      int k = view.joinKeys().size();
      int n = view.features().size();
      try (RedisOnlineStore store = RedisOnlineStore.connect(url)) {
        List<OnlineRow> batch = new ArrayList<>(BATCH);
        List<Object> previous = null;
        while (it.hasNext()) {
          Row r = it.next();
          List<Object> key = new ArrayList<>(k);
          for (int i = 0; i < k; i++) {
            key.add(r.get(i));
          }
          if (key.equals(previous)) {
            continue; // an older row of the key just written
          }
          previous = key;
          Object[] values = new Object[n];
          for (int i = 0; i < n; i++) {
            values[i] = online(r.get(k + 1 + i));
          }
          batch.add(new OnlineRow(key, micros(r.getTimestamp(k)), values));
          if (batch.size() == BATCH) {
            flush(store, view, batch, delay);
          }
        }
        if (!batch.isEmpty()) {
          flush(store, view, batch, delay);
        }
      }
    }

    private void flush(
        RedisOnlineStore store, FeatureView view, List<OnlineRow> batch, long delay) {
      written.add(store.write(view, version, batch));
      rows.add(batch.size());
      batch.clear();
      if (delay > 0) {
        try {
          Thread.sleep(delay); // tests slow a run down to kill it part-way
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }

  static Object online(Object v) {
    if (v instanceof Timestamp t) {
      return micros(t);
    }
    if (v instanceof Date d) {
      return (int) d.toLocalDate().toEpochDay();
    }
    return v;
  }

  static long micros(Timestamp t) {
    return Math.floorDiv(t.getTime(), 1000) * 1_000_000L + t.getNanos() / 1000;
  }
}
