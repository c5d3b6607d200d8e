package dev.strata.offline;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.first;
import static org.apache.spark.sql.functions.input_file_name;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.posexplode;
import static org.apache.spark.sql.functions.regexp_extract;
import static org.apache.spark.sql.functions.timestamp_micros;

import dev.strata.dsl.FeatureView;
import dev.strata.dsl.Snapshot;
import dev.strata.dsl.TableLocation;
import dev.strata.dsl.ValueType;
import dev.strata.errors.InvalidInputException;
import dev.strata.registry.JobKind;
import dev.strata.registry.LineageEdge;
import dev.strata.registry.LineageId;
import dev.strata.registry.LineageNode;
import dev.strata.registry.RegistryStore;
import dev.strata.registry.RunRecord;
import dev.strata.registry.RunTracker;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The feature server's served-feature log as an offline table: {@link #load} appends the closed log
 * files not loaded before, one row per request, entity row and feature.
 *
 * <p>Columns: {@code request_id, request_time, as_of, feature_service} (null for a request by
 * feature list), {@code entity_row} (the entity row within the request, from 0), {@code entity}
 * (every entity column of the request: name to value as text), {@code view, view_version, feature,
 * status} (PRESENT, NOT_FOUND or EXPIRED), {@code event_time} (the served value's), {@code value}
 * (as served, as text: a number's digits, a string unquoted, null for null) and {@code log_file}
 * (the name of the file it came from, or {@code kafka:<topic>:<partition>:<offset>} for a record of
 * the log's Kafka topic: what makes loading idempotent).
 *
 * <p>Only closed files ({@code *.jsonl}) are read; a file the server still writes ({@code
 * *.jsonl.open}) waits for the next load.
 */
public final class ServedLog {
  public static final JobKind JOB = new JobKind("strata.logs_load");

  /** The default table's name in the warehouse. */
  public static final String TABLE = "served_features";

  static final String CLOSED = ".jsonl";

  /** One line of a log file, as the server writes it. */
  public static final StructType LINE =
      new StructType()
          .add("request_id", DataTypes.StringType)
          .add("request_micros", DataTypes.LongType)
          .add("as_of_micros", DataTypes.LongType)
          .add("feature_service", DataTypes.StringType)
          .add(
              "entities",
              DataTypes.createMapType(
                  DataTypes.StringType, DataTypes.createArrayType(DataTypes.StringType)))
          .add(
              "views",
              DataTypes.createArrayType(
                  new StructType()
                      .add("view", DataTypes.StringType)
                      .add("version", DataTypes.IntegerType)
                      .add("features", DataTypes.createArrayType(DataTypes.StringType))
                      .add(
                          "rows",
                          DataTypes.createArrayType(
                              new StructType()
                                  .add("status", DataTypes.StringType)
                                  .add("event_micros", DataTypes.LongType)
                                  .add(
                                      "values",
                                      DataTypes.createArrayType(DataTypes.StringType))))));

  private ServedLog() {}

  /** What a load appended: the files, their requests and rows, the table's new snapshot. */
  public record Loaded(
      TableLocation table,
      List<String> files,
      long requests,
      long rows,
      Optional<Snapshot> snapshot,
      Optional<RunRecord> run) {}

  /** The default log table of a warehouse. */
  public static TableLocation location(Warehouse warehouse, TableFormat format) {
    return format.at(
        format == TableFormat.ICEBERG
            ? "logs." + TABLE
            : warehouse.resolve("logs", format.label(), TABLE));
  }

  /** The closed log files under {@code dir} (any Hadoop file system), by name. */
  public static List<Path> closedFiles(SparkSession spark, String dir) {
    Path p = new Path(dir);
    try {
      FileStatus[] all = p.getFileSystem(spark.sparkContext().hadoopConfiguration()).listStatus(p);
      List<Path> out = new ArrayList<>();
      for (FileStatus s : all) {
        if (s.isFile() && s.getPath().getName().endsWith(CLOSED)) {
          out.add(s.getPath());
        }
      }
      out.sort((a, b) -> a.getName().compareTo(b.getName()));
      return out;
    } catch (FileNotFoundException e) {
      throw new InvalidInputException(
          "the served-feature log directory " + dir + " does not exist");
    } catch (IOException e) {
      throw new dev.strata.errors.UnavailableException(
          "cannot list the served-feature log directory " + dir + ": " + e.getMessage(), e);
    }
  }

  /** The files' requests in the table's long form (see the class comment). */
  public static Dataset<Row> rows(SparkSession spark, List<Path> files) {
    Dataset<Row> lines =
        spark
            .read()
            .schema(LINE)
            .option("mode", "FAILFAST")
            .json(files.stream().map(Path::toString).toArray(String[]::new));
    return rows(lines.withColumn("log_file", regexp_extract(input_file_name(), "([^/]+)$", 1)));
  }

  /**
   * Parsed log lines ({@link #LINE}'s columns and a {@code log_file} column naming where each came
   * from) in the table's long form.
   */
  public static Dataset<Row> rows(Dataset<Row> lines) {
    Dataset<Row> views =
        lines.select(
            col("request_id"),
            timestamp_micros(col("request_micros")).as("request_time"),
            timestamp_micros(col("as_of_micros")).as("as_of"),
            col("feature_service"),
            col("entities"),
            col("log_file"),
            explode(col("views")).as("v"));
    Dataset<Row> rows =
        views.select(col("*"), posexplode(col("v.rows")).as(new String[] {"entity_row", "r"}));
    Dataset<Row> features =
        rows.select(col("*"), posexplode(col("v.features")).as(new String[] {"i", "feature"}));
    return features.select(
        col("request_id"),
        col("request_time"),
        col("as_of"),
        col("feature_service"),
        col("entity_row"),
        expr("transform_values(entities, (k, values) -> values[entity_row])").as("entity"),
        col("v.view").as("view"),
        col("v.version").as("view_version"),
        col("feature"),
        col("r.status").as("status"),
        timestamp_micros(col("r.event_micros")).as("event_time"),
        element_at(col("r.values"), col("i").plus(1)).as("value"),
        col("log_file"));
  }

  /**
   * The log rows of one view version whose requests were served on the UTC days {@code [from, to]}.
   */
  public static Dataset<Row> ofView(
      Dataset<Row> log,
      String view,
      int version,
      java.time.LocalDate from,
      java.time.LocalDate to) {
    Column day = org.apache.spark.sql.functions.to_date(col("request_time"));
    return log.filter(
        col("view")
            .equalTo(view)
            .and(col("view_version").equalTo(version))
            .and(day.geq(lit(java.sql.Date.valueOf(from))))
            .and(day.leq(lit(java.sql.Date.valueOf(to)))));
  }

  /**
   * The values a view's features were served with, one row per served entity row and a column per
   * feature typed as the feature: the served distribution, weighted by traffic. Values served as
   * NOT_FOUND or EXPIRED are left out.
   */
  public static Dataset<Row> servedValues(
      Dataset<Row> viewLog, FeatureView view, List<String> features) {
    Dataset<Row> wide =
        viewLog
            .filter(col("status").equalTo("PRESENT"))
            .groupBy("request_id", "request_time", "entity_row")
            .pivot("feature", new ArrayList<Object>(features))
            .agg(first(col("value")));
    List<Column> typed = new ArrayList<>();
    for (String f : features) {
      ValueType t =
          view.feature(f)
              .orElseThrow(
                  () ->
                      new InvalidInputException(
                          "feature view '" + view.name() + "' has no feature '" + f + "'"))
              .type();
      typed.add(col("`" + f + "`").cast(SparkTypes.of(t)).as(f));
    }
    return wide.select(typed.toArray(Column[]::new));
  }

  /**
   * Appends the closed files under {@code dir} that {@code table} does not hold yet, in one commit
   * (creating the table on the first load), as a run of {@link #JOB}. Loading again finds nothing
   * new and commits nothing.
   */
  public static Loaded load(
      SparkSession spark, RegistryStore registry, String dir, TableLocation table) {
    List<Path> closed = closedFiles(spark, dir);
    boolean exists = Tables.exists(spark, table);
    Set<String> loaded = new HashSet<>();
    if (exists) {
      for (Row r :
          Tables.read(spark, table, Optional.empty())
              .select("log_file")
              .distinct()
              .collectAsList()) {
        loaded.add(r.getString(0));
      }
    }
    List<Path> fresh = new ArrayList<>();
    for (Path p : closed) {
      if (!loaded.contains(p.getName())) {
        fresh.add(p);
      }
    }
    List<String> names = fresh.stream().map(Path::getName).toList();
    if (fresh.isEmpty()) {
      return new Loaded(table, names, 0, 0, Tables.currentSnapshot(spark, table), Optional.empty());
    }
    return append(
        spark,
        registry,
        table,
        () -> rows(spark, fresh),
        names,
        col("log_file").isin(names.toArray()),
        Map.of("log_dir", dir, "table", table.location(), "files", "" + names.size()),
        Optional.empty());
  }

  /**
   * Appends log rows to {@code table} in one commit (creating it if need be), as a run of {@link
   * #JOB} with {@code properties}, and records the lineage from {@code input} (if any) to the new
   * snapshot.
   *
   * @param rows the rows to append, in the table's long form
   * @param parts what the rows came from, for the answer (files, or a topic's offset ranges)
   * @param appended selects, in the table, the rows appended now
   */
  public static Loaded append(
      SparkSession spark,
      RegistryStore registry,
      TableLocation table,
      java.util.function.Supplier<Dataset<Row>> rows,
      List<String> parts,
      Column appended,
      Map<String, String> properties,
      Optional<LineageNode> input) {
    boolean exists = Tables.exists(spark, table);
    RunRecord started =
        RunRecord.started(JOB, input.map(n -> List.of(n.id())).orElse(List.of()), properties);
    return RunTracker.run(
        registry,
        started,
        run -> {
          Progress.phase(spark, "load the served-feature log from " + parts.size() + " parts");
          Dataset<Row> fresh = rows.get();
          Optional<Snapshot> snapshot =
              exists
                  ? Tables.append(spark, fresh, table)
                  : Tables.write(spark, fresh, table, false);
          Dataset<Row> written = Tables.read(spark, table, snapshot).filter(appended);
          long count = written.count();
          long requests = written.select("request_id", "request_time").distinct().count();
          LineageId id = LineageId.table(table, snapshot);
          LineageId runNode = LineageId.run(LineageNode.LOGS_LOAD_RUN, run.record().id());
          List<LineageNode> nodes = new ArrayList<>();
          nodes.add(LineageNode.of(id, Map.of("rows", Long.toString(count))));
          nodes.add(LineageNode.of(runNode, Map.of("parts", Integer.toString(parts.size()))));
          List<LineageEdge> edges = new ArrayList<>();
          edges.add(new LineageEdge(runNode, id));
          if (input.isPresent()) {
            nodes.add(input.get());
            edges.add(new LineageEdge(input.get().id(), runNode));
          }
          registry.recordLineage(nodes, edges);
          RunRecord done = run.complete(List.of(id));
          return new Loaded(table, parts, requests, count, snapshot, Optional.of(done));
        });
  }
}
