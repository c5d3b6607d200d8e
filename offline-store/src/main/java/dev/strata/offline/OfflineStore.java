package dev.strata.offline;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.to_date;

import dev.strata.dsl.Feature;
import dev.strata.dsl.FeatureRef;
import dev.strata.dsl.FeatureView;
import dev.strata.dsl.JoinKey;
import dev.strata.dsl.Projection;
import dev.strata.dsl.Snapshot;
import dev.strata.dsl.Source;
import dev.strata.dsl.TableLocation;
import dev.strata.errors.InvalidInputException;
import dev.strata.registry.CatalogEntry;
import dev.strata.registry.JobKind;
import dev.strata.registry.LineageEdge;
import dev.strata.registry.LineageId;
import dev.strata.registry.LineageNode;
import dev.strata.registry.NotRegisteredException;
import dev.strata.registry.OfflineTable;
import dev.strata.registry.Registered;
import dev.strata.registry.RegistryStore;
import dev.strata.registry.RunQuality;
import dev.strata.registry.RunRecord;
import dev.strata.registry.RunTracker;
import dev.strata.registry.SourceRead;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The offline store: backfills feature views from their sources into date-partitioned Delta,
 * Iceberg or Hudi tables, and answers historical (point-in-time) retrievals. Definitions come from
 * the registry; every write and every retrieval is recorded there, with the snapshot ids of the
 * tables it read and wrote.
 *
 * <pre>{@code
 * OfflineStore store = new OfflineStore(spark, registry, Warehouse.of("s3a://lake/strata"));
 * store.backfill("origin_delays", LocalDate.parse("2001-01-01"), LocalDate.parse("2001-01-31"),
 *     TableFormat.DELTA);
 * }</pre>
 *
 * <p>Its size (a little over 500 lines) is the backfill and the retrieval side by side, which share
 * the registry lookups and lineage; the engine itself is {@link PointInTime}, the measurement of
 * what a backfill writes {@link Quality}, the retrieval without entity rows {@link
 * RetrievalWithoutEntities}.
 */
public final class OfflineStore {
  /** The date partition column of every offline table. */
  public static final String DATE_COLUMN = "feature_date";

  /** The event-time column of the offline table of a view without aggregations. */
  public static final String EVENT_TIMESTAMP = "event_timestamp";

  public static final String CREATED_TIMESTAMP = "created_timestamp";

  private final SparkSession spark;
  private final RegistryStore registry;
  private final Warehouse warehouse;
  private final boolean statistics;

  public OfflineStore(SparkSession spark, RegistryStore registry, Warehouse warehouse) {
    this(spark, registry, warehouse, true);
  }

  private OfflineStore(
      SparkSession spark, RegistryStore registry, Warehouse warehouse, boolean statistics) {
    this.spark = spark;
    this.registry = registry;
    this.warehouse = warehouse;
    this.statistics = statistics;
  }

  /**
   * The same store, whose backfills record no statistics: a view without expectations is then
   * computed and written in one pass, as before statistics existed (benchmarks compare the two).
   */
  public OfflineStore withoutStatistics() {
    return new OfflineStore(spark, registry, warehouse, false);
  }

  /** What a backfill wrote: the table, the snapshot it committed, the source snapshot it read. */
  public record BackfillResult(
      String view,
      int viewVersion,
      TableLocation table,
      Snapshot snapshot,
      Optional<Snapshot> sourceSnapshot,
      long rows,
      RunRecord run) {}

  /**
   * What a historical retrieval read: the rows, every source at the snapshot it read, the version
   * of every feature view it used, and the lineage ids.
   */
  public record Historical(
      Dataset<Row> rows,
      List<SourceRead> sources,
      Map<String, Integer> viewVersions,
      List<LineageId> inputs) {}

  /** Where a view version's offline table lives in this store's warehouse. */
  public TableLocation location(String view, int version, TableFormat format) {
    String table = view + "_v" + version;
    return format.at(
        switch (format) {
          case ICEBERG -> "offline." + table;
          default -> warehouse.resolve("offline", format.label(), table);
        });
  }

  /**
   * Computes the view over the UTC days {@code [from, to]} into its offline table, replacing what
   * the table held for those days in one commit. Aggregations are evaluated at the view's cadence
   * points; a view of row-level features only keeps the source rows.
   *
   * @throws SourceSchemaException when the source does not match its definition (nothing written)
   */
  public BackfillResult backfill(
      String viewName, LocalDate from, LocalDate to, TableFormat format) {
    if (to.isBefore(from)) {
      throw new InvalidInputException(
          "backfill of '" + viewName + "': end " + to + " is before start " + from);
    }
    Registered<FeatureView> reg = registry.requireView(viewName);
    FeatureView view = reg.definition();
    Source source = registry.source(view.source()).orElseThrow();
    Progress.phase(spark, "read source '" + source.name() + "'");
    Optional<Snapshot> sourceSnapshot = Tables.currentSnapshot(spark, source.table());
    Dataset<Row> events =
        SourceFrames.read(spark, source, sourceSnapshot, "feature view '" + view.name() + "'");

    Dataset<Row> rows = offlineRows(view, source, events, from, to);
    String ordering = orderingColumn(view);
    List<String> recordKey = new ArrayList<>();
    view.joinKeys().forEach(k -> recordKey.add(k.name()));
    recordKey.add(ordering);

    TableLocation location = location(view.name(), reg.version(), format);
    LineageId sourceId = LineageId.table(source.table(), sourceSnapshot);
    String sourceNode = sourceId.toString();
    RunRecord started =
        RunRecord.started(
            JobKind.BACKFILL,
            List.of(sourceId, reg.lineageId()),
            Map.of(
                "view",
                view.name(),
                "from",
                from.toString(),
                "to",
                to.toString(),
                "format",
                format.label(),
                "location",
                location.location()));
    String job = "backfill of '" + view.name() + "'";
    return RunTracker.run(
        registry,
        started,
        run -> {
          List<Quality.Measure> measures = statistics ? Quality.features(view) : List.of();
          List<Quality.Checks> checks =
              List.of(
                  new Quality.Checks(
                      view.name(),
                      view.expectations(),
                      Optional.of(ordering),
                      Optional.of(to.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant())));
          Quality.Measurement measurement =
              Quality.Measurement.start(
                  registry,
                  run,
                  RunQuality.Subject.view(view.name(), reg.version()),
                  rows,
                  measures,
                  checks,
                  job);
          Progress.phase(
              spark, "write " + view.name() + " for " + from + ".." + to + " to " + format.label());
          Tables.Commit commit =
              Tables.replaceRange(
                  spark,
                  measurement.rows(),
                  location,
                  new Tables.TableLayout(recordKey, ordering, DATE_COLUMN),
                  from,
                  to);
          Snapshot snapshot = commit.snapshot();
          long count =
              commit
                  .rowsWritten()
                  .orElseThrow(
                      () ->
                          new IllegalStateException(
                              location + "'s commit " + snapshot + " does not say its rows"));
          Tables.TableLayout layout = new Tables.TableLayout(recordKey, ordering, DATE_COLUMN);
          Optional<RunQuality> quality =
              measurement.finish(
                  count,
                  () ->
                      Tables.read(spark, location, Optional.of(snapshot))
                          .filter(Tables.range(layout, from, to)));
          Progress.phase(spark, "record run and lineage");
          LineageId tableId = LineageId.offlineTable(location, snapshot);
          String tableNode = tableId.toString();
          registry.recordLineage(
              List.of(
                  LineageNode.of(
                      LineageId.table(source.table(), sourceSnapshot),
                      Map.of("format", source.format().name())),
                  LineageNode.of(
                      tableId,
                      Map.of(
                          "view",
                          view.name(),
                          "from",
                          from.toString(),
                          "to",
                          to.toString(),
                          "rows",
                          Long.toString(count)))),
              edges(sourceId, source, reg, tableId));
          List<CatalogEntry> entries = new ArrayList<>();
          entries.add(
              new OfflineTable(
                  view.name(),
                  reg.version(),
                  location,
                  snapshot,
                  run.record().id(),
                  Instant.now()));
          quality.ifPresent(q -> entries.add(q.committedAs(snapshot)));
          RunRecord done = run.complete(List.of(tableId), entries.toArray(CatalogEntry[]::new));
          return new BackfillResult(
              view.name(), reg.version(), location, snapshot, sourceSnapshot, count, done);
        });
  }

  /**
   * The job's computation, a pure {@code Dataset -> Dataset} step: a view's offline rows for the
   * UTC days {@code [from, to]} from its source's events (aggregations at the cadence points,
   * row-level features as the source rows), with their {@value #DATE_COLUMN}.
   */
  public static Dataset<Row> offlineRows(
      FeatureView view, Source source, Dataset<Row> events, LocalDate from, LocalDate to) {
    Instant start = from.atStartOfDay(ZoneOffset.UTC).toInstant();
    Instant endExclusive = to.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
    Dataset<Row> rows =
        view.hasAggregations()
            ? PointInTime.atCadence(view, source, events, start, endExclusive.minusNanos(1000))
            : rowFeatures(view, source, events, start, endExclusive);
    return rows.withColumn(DATE_COLUMN, to_date(col(orderingColumn(view))));
  }

  /** The time column of a view's offline rows: the cadence point, or the event time. */
  static String orderingColumn(FeatureView view) {
    return view.hasAggregations() ? PointInTime.FEATURE_TIMESTAMP : EVENT_TIMESTAMP;
  }

  private static List<LineageEdge> edges(
      LineageId sourceNode, Source source, Registered<FeatureView> view, LineageId table) {
    List<LineageEdge> e = new ArrayList<>();
    LineageId base = LineageId.table(source.table(), Optional.empty());
    if (!base.equals(sourceNode)) {
      e.add(new LineageEdge(base, sourceNode));
    }
    e.add(new LineageEdge(sourceNode, table));
    e.add(new LineageEdge(view.lineageId(), table));
    return e;
  }

  /** A row-level view's offline rows: keys, event and created time, the features. */
  private static Dataset<Row> rowFeatures(
      FeatureView view, Source source, Dataset<Row> events, Instant start, Instant endExclusive) {
    List<Column> cols = new ArrayList<>();
    Column keysPresent = lit(true);
    for (JoinKey k : view.joinKeys()) {
      cols.add(col(k.name()).cast(SparkTypes.of(k.type())).as(k.name()));
      keysPresent = keysPresent.and(col(k.name()).isNotNull());
    }
    cols.add(col(source.eventTimestamp()).as(EVENT_TIMESTAMP));
    cols.add(
        source.createdTimestamp().isPresent()
            ? col(source.createdTimestamp().get()).as(CREATED_TIMESTAMP)
            : lit(null).cast("timestamp").as(CREATED_TIMESTAMP));
    for (Feature f : view.features()) {
      cols.add(ExprColumns.typed(f.expr().orElseThrow(), f.type()).as(f.name()));
    }
    Column ts = col(source.eventTimestamp());
    Dataset<Row> rows =
        events
            .filter(
                keysPresent
                    .and(ts.geq(lit(java.sql.Timestamp.from(start))))
                    .and(ts.lt(lit(java.sql.Timestamp.from(endExclusive)))))
            .select(cols.toArray(Column[]::new));
    // one row per key and event time: the point-in-time winner (greatest created time, nulls
    // lowest, then the greatest feature values), as a join would pick it
    List<Column> partition = new ArrayList<>();
    view.joinKeys().forEach(k -> partition.add(col(k.name())));
    partition.add(col(EVENT_TIMESTAMP));
    List<Column> order = new ArrayList<>();
    order.add(col(CREATED_TIMESTAMP).desc_nulls_last());
    view.features().forEach(f -> order.add(col(f.name()).desc_nulls_last()));
    return rows.withColumn(
            "__rank",
            org.apache
                .spark
                .sql
                .functions
                .row_number()
                .over(
                    org.apache.spark.sql.expressions.Window.partitionBy(
                            partition.toArray(Column[]::new))
                        .orderBy(order.toArray(Column[]::new))))
        .filter(col("__rank").equalTo(1))
        .drop("__rank");
  }

  /**
   * The features to retrieve; {@code snapshots} pins sources (by name) and {@code viewVersions}
   * views: one missing from its map is read at its current snapshot or version, and added to it.
   */
  private List<PointInTime.Request> requests(
      List<Projection> projections,
      Map<String, Optional<Snapshot>> snapshots,
      Map<String, Integer> viewVersions,
      List<LineageId> inputs) {
    Map<String, List<String>> byView = new LinkedHashMap<>();
    for (Projection p : projections) {
      byView.computeIfAbsent(p.view(), v -> new ArrayList<>()).addAll(p.features());
    }
    List<PointInTime.Request> out = new ArrayList<>();
    for (Map.Entry<String, List<String>> e : byView.entrySet()) {
      Integer pinned = viewVersions.get(e.getKey());
      Registered<FeatureView> reg =
          (pinned == null
                  ? registry.registeredView(e.getKey())
                  : registry.registeredView(e.getKey(), pinned))
              .orElseThrow(
                  () ->
                      new NotRegisteredException(
                          "No feature view named '"
                              + e.getKey()
                              + "'"
                              + (pinned == null ? "" : " at version " + pinned)
                              + " is registered: see what is registered with 'strata ls'"));
      viewVersions.put(e.getKey(), reg.version());
      FeatureView view = reg.definition();
      for (String f : e.getValue()) {
        if (view.feature(f).isEmpty()) {
          throw new InvalidInputException(
              "feature view '"
                  + view.name()
                  + "' has no feature '"
                  + f
                  + "' (features: "
                  + String.join(", ", view.features().stream().map(Feature::name).toList())
                  + ")");
        }
      }
      Source source = registry.source(view.source()).orElseThrow();
      Optional<Snapshot> snapshot =
          snapshots.computeIfAbsent(
              source.name(), n -> Tables.currentSnapshot(spark, source.table()));
      Dataset<Row> events =
          SourceFrames.read(spark, source, snapshot, "feature view '" + view.name() + "'");
      inputs.add(LineageId.table(source.table(), snapshot));
      inputs.add(reg.lineageId());
      out.add(new PointInTime.Request(view, source, events, e.getValue()));
    }
    return out;
  }

  /** Parses {@code view:feature} references (a bare {@code view} means all its features). */
  public List<Projection> projections(List<String> references) {
    Map<String, List<String>> byView = new LinkedHashMap<>();
    for (String text : references) {
      FeatureRef ref = FeatureRef.parse(text);
      FeatureView v =
          registry
              .featureView(ref.view())
              .orElseThrow(
                  () ->
                      new NotRegisteredException(
                          "'"
                              + text
                              + "': no feature view named '"
                              + ref.view()
                              + "' is registered"));
      List<String> names = byView.computeIfAbsent(ref.view(), k -> new ArrayList<>());
      if (ref.allFeatures()) {
        v.features().forEach(f -> names.add(f.name()));
      } else {
        names.add(ref.feature().get());
      }
    }
    List<Projection> out = new ArrayList<>();
    byView.forEach((v, f) -> out.add(new Projection(v, f)));
    return out;
  }

  /** Historical retrieval of a registered feature service. */
  public Historical historical(
      Dataset<Row> entities, String timestampColumn, String service, boolean qualified) {
    return historical(entities, timestampColumn, serviceProjections(service), qualified);
  }

  /** The projections of a registered feature service. */
  public List<Projection> serviceProjections(String service) {
    return registry
        .featureService(service)
        .orElseThrow(
            () ->
                new NotRegisteredException(
                    "No feature service named '"
                        + service
                        + "' is registered: see what is registered with 'strata ls'"))
        .projections();
  }

  /** Historical retrieval of the given projections, sources read at their current snapshots. */
  public Historical historical(
      Dataset<Row> entities,
      String timestampColumn,
      List<Projection> projections,
      boolean qualified) {
    return historical(
        entities, timestampColumn, projections, qualified, List.of(), new LinkedHashMap<>());
  }

  /**
   * Historical retrieval without entity rows: each view's values for every key at each of its
   * cadence points in {@code [start, end]}, or with {@code latest} the values per key as of {@code
   * end} ({@link RetrievalWithoutEntities}); the views must share their join keys. Sources are read
   * at their current snapshots.
   *
   * @param start the first instant, ignored with {@code latest}
   */
  public Historical historicalWithoutEntities(
      List<Projection> projections, Instant start, Instant end, boolean latest, boolean qualified) {
    if (!latest && end.isBefore(start)) {
      throw new InvalidInputException("end " + end + " is before start " + start);
    }
    return retrieve(
        projections,
        List.of(),
        new LinkedHashMap<>(),
        requests ->
            latest
                ? RetrievalWithoutEntities.latest(requests, end, qualified)
                : RetrievalWithoutEntities.atCadence(requests, start, end, qualified));
  }

  /**
   * Historical retrieval with sources read at the given snapshots and views at the given versions
   * (as a training dataset's record pins them); sources missing from {@code pinned} are read at
   * their current snapshot, views missing from {@code viewVersions} at their current version (and
   * added to it). The result says at which snapshot it read every source.
   */
  public Historical historical(
      Dataset<Row> entities,
      String timestampColumn,
      List<Projection> projections,
      boolean qualified,
      List<SourceRead> pinned,
      Map<String, Integer> viewVersions) {
    return retrieve(
        projections,
        pinned,
        viewVersions,
        requests -> PointInTime.join(entities, timestampColumn, requests, qualified));
  }

  /**
   * Reads the projections' sources (at {@code pinned} snapshots where given) and plans the rows
   * from the requests; the result says what was read.
   */
  private Historical retrieve(
      List<Projection> projections,
      List<SourceRead> pinned,
      Map<String, Integer> viewVersions,
      java.util.function.Function<List<PointInTime.Request>, Dataset<Row>> plan) {
    List<LineageId> inputs = new ArrayList<>();
    Map<String, Optional<Snapshot>> snapshots = new LinkedHashMap<>();
    pinned.forEach(s -> snapshots.put(s.source(), s.snapshot()));
    List<PointInTime.Request> requests = requests(projections, snapshots, viewVersions, inputs);
    List<SourceRead> read = new ArrayList<>();
    snapshots.forEach((n, s) -> read.add(new SourceRead(n, s)));
    return new Historical(plan.apply(requests), read, viewVersions, inputs);
  }
}
