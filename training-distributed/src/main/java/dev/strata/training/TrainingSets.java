package dev.strata.training;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.xxhash64;

import dev.strata.dsl.Feature;
import dev.strata.dsl.FeatureService;
import dev.strata.dsl.FeatureView;
import dev.strata.dsl.ObjectKind;
import dev.strata.dsl.Snapshot;
import dev.strata.dsl.TableLocation;
import dev.strata.errors.InvalidInputException;
import dev.strata.errors.StrataException;
import dev.strata.offline.OfflineStore;
import dev.strata.offline.Progress;
import dev.strata.offline.Quality;
import dev.strata.offline.TableFormat;
import dev.strata.offline.Tables;
import dev.strata.offline.Warehouse;
import dev.strata.registry.CatalogEntry;
import dev.strata.registry.JobKind;
import dev.strata.registry.LineageId;
import dev.strata.registry.NotRegisteredException;
import dev.strata.registry.Registered;
import dev.strata.registry.RegistryStore;
import dev.strata.registry.RunQuality;
import dev.strata.registry.RunRecord;
import dev.strata.registry.RunTracker;
import dev.strata.registry.SourceRead;
import dev.strata.registry.TrainingSet;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;

/**
 * Training datasets: a label table, a feature service and a time range become a point-in-time join,
 * stored as a table (Delta by default) and registered as {@code training_dataset:NAME@vN} with the
 * snapshot of every table it read and the version of every feature view and of the service it used.
 * {@link #rebuild} recomputes a registered dataset from that record, reading every table at its
 * recorded snapshot, and checks the rows against the recorded checksum.
 *
 * <pre>{@code
 * TrainingSets sets = new TrainingSets(spark, registry, warehouse);
 * TrainingSet ts = sets.build(new TrainingSetSpec("delays", TableFormat.DELTA.at("s3a://lake/labels"),
 *     "departure", "delayed", "delay_model", start, end, TableFormat.DELTA));
 * Dataset<Row> rows = sets.read(ts.name(), ts.version());
 * }</pre>
 */
public final class TrainingSets {
  public static final JobKind JOB = JobKind.TRAINING_SET;
  private static final Pattern NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_.-]{0,99}");

  private final SparkSession spark;
  private final RegistryStore registry;
  private final Warehouse warehouse;

  public TrainingSets(SparkSession spark, RegistryStore registry, Warehouse warehouse) {
    this.spark = spark;
    this.registry = registry;
    this.warehouse = warehouse;
  }

  /**
   * What a training dataset is made of.
   *
   * @param labels where the label (entity) table is; its rows are the examples
   * @param timestampColumn the time of each example: features are as of this instant
   * @param start first example time, inclusive
   * @param end last example time, exclusive
   * @param format the table format of the stored dataset
   */
  public record TrainingSetSpec(
      String name,
      TableLocation labels,
      String timestampColumn,
      String labelColumn,
      String featureService,
      Instant start,
      Instant end,
      TableFormat format) {}

  /**
   * One version ({@code vN}) of a registered artifact, a training set or a model; the newest when
   * {@code version} is null.
   *
   * @param what how messages name the kind: "training set", "model"
   */
  static <T> T pick(List<T> versions, String what, String name, Integer version) {
    if (versions.isEmpty()) {
      throw new NotRegisteredException(
          "no "
              + what
              + " named '"
              + name
              + "' is registered: "
              + ("model".equals(what)
                  ? "train one with 'strata train'"
                  : "build one with 'strata training-set'"));
    }
    if (version == null) {
      return versions.get(versions.size() - 1);
    }
    if (version < 1 || version > versions.size()) {
      throw new NotRegisteredException(
          what
              + " '"
              + name
              + "' has no version "
              + version
              + " (versions: 1.."
              + versions.size()
              + ")");
    }
    return versions.get(version - 1);
  }

  /** Builds, stores and registers a training dataset; on any error nothing is registered. */
  public TrainingSet build(TrainingSetSpec spec) {
    String where = "training set '" + spec.name() + "'";
    if (spec.name() == null || !NAME.matcher(spec.name()).matches()) {
      throw new InvalidInputException(
          "training set name '"
              + spec.name()
              + "' is not valid: a letter, then letters, digits, '_', '.' or '-' (at most 100)");
    }
    if (spec.start() == null || spec.end() == null || !spec.end().isAfter(spec.start())) {
      throw new InvalidInputException(
          where
              + ": the time range ["
              + spec.start()
              + ", "
              + spec.end()
              + ") is empty; the end must be after the start");
    }
    Registered<FeatureService> service =
        registry
            .registeredService(spec.featureService())
            .orElseThrow(
                () ->
                    new NotRegisteredException(
                        where
                            + ": no feature service named '"
                            + spec.featureService()
                            + "' is registered: see what is registered with 'strata ls'"));
    Optional<Snapshot> labelsSnapshot =
        readable(() -> Tables.currentSnapshot(spark, spec.labels()), spec);
    Dataset<Row> labels =
        labels(
            spec.labels(),
            labelsSnapshot,
            spec.timestampColumn(),
            spec.labelColumn(),
            spec.start(),
            spec.end(),
            where);
    if (labels.isEmpty()) {
      throw new InvalidInputException(
          where
              + ": the labels table "
              + spec.labels().location()
              + " has no rows with "
              + spec.timestampColumn()
              + " in ["
              + spec.start()
              + ", "
              + spec.end()
              + ")");
    }
    OfflineStore offline = new OfflineStore(spark, registry, warehouse);
    OfflineStore.Historical h =
        offline.historical(
            labels,
            spec.timestampColumn(),
            service.definition().projections(),
            false,
            List.of(),
            new LinkedHashMap<>());
    List<String> features = featureColumns(h.rows(), labels);
    Dataset<Row> rows = h.rows();

    String id = UUID.randomUUID().toString().substring(0, 8);
    TableLocation location =
        spec.format()
            .at(
                spec.format() == TableFormat.ICEBERG
                    ? "training_sets." + spec.name().replaceAll("[^A-Za-z0-9_]", "_") + "_" + id
                    : warehouse.resolve("training_sets", spec.name(), id));
    List<LineageId> inputs = new ArrayList<>(h.inputs());
    inputs.add(LineageId.table(spec.labels(), labelsSnapshot));
    inputs.add(service.lineageId());
    RunRecord started =
        RunRecord.started(
            JOB, inputs, Map.of("training_set", spec.name(), "location", location.location()));
    List<Quality.Measure> measures = new ArrayList<>();
    List<Quality.Checks> checks = new ArrayList<>();
    for (Map.Entry<String, Integer> v : h.viewVersions().entrySet()) {
      FeatureView view =
          (FeatureView)
              registry
                  .get(ObjectKind.FEATURE_VIEW, v.getKey(), v.getValue())
                  .orElseThrow()
                  .definition();
      for (Feature f : view.features()) {
        if (features.contains(f.name())) {
          measures.add(new Quality.Measure(f.name(), f.type()));
        }
      }
      // freshness is about a range's end, which a training set does not have: not judged
      // and expectations on features the service does not select are about other rows
      checks.add(
          new Quality.Checks(
              view.name(),
              view.expectations().stream()
                  .filter(e -> Arrays.asList(rows.columns()).containsAll(e.columns()))
                  .toList(),
              Optional.empty(),
              Optional.empty()));
    }
    return RunTracker.run(
        registry,
        started,
        run -> {
          Progress.phase(spark, "point-in-time join of training set '" + spec.name() + "'");
          Quality.Measurement measurement =
              Quality.Measurement.start(
                  registry,
                  run,
                  RunQuality.Subject.trainingSet(spec.name(), 0),
                  rows,
                  measures,
                  checks,
                  "training set '" + spec.name() + "'");
          Optional<Snapshot> snapshot = Tables.write(spark, measurement.rows(), location, false);
          Dataset<Row> stored = Tables.read(spark, location, snapshot);
          Checksum sum = checksum(stored);
          Optional<RunQuality> quality = measurement.finish(sum.rows(), () -> stored);
          TrainingSet draft =
              new TrainingSet(
                  spec.name(),
                  0,
                  "",
                  location,
                  snapshot,
                  sum.rows(),
                  sum.value(),
                  spec.labels(),
                  labelsSnapshot,
                  spec.timestampColumn(),
                  spec.labelColumn(),
                  features,
                  spec.featureService(),
                  service.version(),
                  spec.start(),
                  spec.end(),
                  h.sources(),
                  h.viewVersions(),
                  run.record().id());
          TrainingSet registered = registry.registerTrainingSet(draft, inputs);
          run.complete(
              List.of(LineageId.parse(registered.nodeId())),
              quality.stream()
                  .map(
                      q ->
                          q.about(
                              RunQuality.Subject.trainingSet(spec.name(), registered.version()),
                              snapshot))
                  .toArray(CatalogEntry[]::new));
          return registered;
        });
  }

  /** A registered training dataset; the newest when {@code version} is null. */
  public TrainingSet get(String name, Integer version) {
    return pick(registry.trainingSets(name), "training set", name, version);
  }

  /** The stored rows of a registered training dataset, at the snapshot it was written with. */
  public Dataset<Row> read(TrainingSet set) {
    return Tables.read(spark, set.table(), set.snapshot());
  }

  /**
   * Recomputes a registered training dataset from its record: the labels and every source at their
   * recorded snapshots, the feature views and the service at their recorded versions.
   *
   * @throws IllegalStateException when the rows do not match the recorded checksum (a Parquet
   *     source or label table, which has no snapshots, changed since)
   */
  public Dataset<Row> rebuild(TrainingSet set) {
    String where = "training set '" + set.name() + "' v" + set.version();
    FeatureService service = set.service(registry);
    List<SourceRead> snapshots = set.sources();
    Map<String, Integer> views = new LinkedHashMap<>(set.views());
    Dataset<Row> labels =
        labels(
            set.labels(),
            set.labelsSnapshot(),
            set.timestampColumn(),
            set.labelColumn(),
            set.start(),
            set.end(),
            where);
    Dataset<Row> rows =
        new OfflineStore(spark, registry, warehouse)
            .historical(
                labels, set.timestampColumn(), service.projections(), false, snapshots, views)
            .rows();
    Checksum sum = checksum(rows);
    if (sum.rows() != set.rows() || !sum.value().equals(set.checksum())) {
      throw new IllegalStateException(
          where
              + ": the rebuilt rows ("
              + sum.rows()
              + ", checksum "
              + sum.value()
              + ") differ from the recorded ones ("
              + set.rows()
              + ", "
              + set.checksum()
              + "); a table without"
              + " snapshots (Parquet) that it read has changed since");
    }
    return rows;
  }

  private Dataset<Row> labels(
      TableLocation table,
      Optional<Snapshot> snapshot,
      String ts,
      String label,
      Instant start,
      Instant end,
      String where) {
    String location = table.location();
    Dataset<Row> labels = readable(() -> Tables.read(spark, table, snapshot), where, location);
    List<String> columns = Arrays.asList(labels.columns());
    if (!columns.contains(label)) {
      throw new InvalidInputException(
          where
              + ": the label column '"
              + label
              + "' is not in the labels table "
              + location
              + " (columns: "
              + String.join(", ", columns)
              + ")");
    }
    StructField tsField = columns.contains(ts) ? labels.schema().apply(ts) : null;
    if (tsField == null
        || !(tsField.dataType().equals(DataTypes.TimestampType)
            || tsField.dataType().equals(DataTypes.TimestampNTZType))) {
      throw new InvalidInputException(
          where
              + ": the labels table "
              + location
              + " has no timestamp column '"
              + ts
              + "' (columns: "
              + String.join(", ", columns)
              + ")");
    }
    return labels.filter(
        col(ts).geq(lit(Timestamp.from(start))).and(col(ts).lt(lit(Timestamp.from(end)))));
  }

  private <T> T readable(java.util.function.Supplier<T> read, TrainingSetSpec spec) {
    return readable(read, "training set '" + spec.name() + "'", spec.labels().location());
  }

  private static <T> T readable(
      java.util.function.Supplier<T> read, String where, String location) {
    try {
      return read.get();
    } catch (IllegalArgumentException | StrataException e) {
      throw e;
    } catch (Exception e) { // Spark's AnalysisException is checked, yet thrown from Scala unchecked
      Throwable cause = e;
      while (cause != null && !(cause instanceof AnalysisException)) {
        cause = cause.getCause();
      }
      throw new InvalidInputException(
          where
              + ": cannot read the labels table "
              + location
              + ": "
              + (cause != null ? cause.getMessage() : e.getMessage()),
          e);
    }
  }

  private static List<String> featureColumns(Dataset<Row> rows, Dataset<Row> labels) {
    List<String> labelColumns = Arrays.asList(labels.columns());
    List<String> out = new ArrayList<>();
    for (String c : rows.columns()) {
      if (!labelColumns.contains(c)) {
        out.add(c);
      }
    }
    return out;
  }

  /** A count and an order-independent content hash of rows. */
  public record Checksum(long rows, String value) {}

  /**
   * Row count and the exact sum of every row's 64-bit hash over all its columns (sorted by name).
   */
  public static Checksum checksum(Dataset<Row> rows) {
    List<String> names = new ArrayList<>(Arrays.asList(rows.columns()));
    names.sort(null);
    Column[] cols = names.stream().map(n -> col("`" + n + "`")).toArray(Column[]::new);
    Row r =
        rows.select(xxhash64(cols).cast("decimal(38,0)").as("h"))
            .agg(org.apache.spark.sql.functions.count(lit(1)), sum(col("h")))
            .first();
    return new Checksum(r.getLong(0), r.isNullAt(1) ? "0" : r.getDecimal(1).toPlainString());
  }
}
