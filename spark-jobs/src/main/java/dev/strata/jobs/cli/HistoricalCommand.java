package dev.strata.jobs.cli;

import dev.strata.dsl.Projection;
import dev.strata.dsl.TableLocation;
import dev.strata.offline.OfflineStore;
import dev.strata.offline.OutputTables;
import dev.strata.offline.TableFormat;
import dev.strata.offline.Tables;
import dev.strata.registry.JobKind;
import dev.strata.registry.LineageId;
import dev.strata.registry.RegistryStore;
import dev.strata.registry.RunRecord;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code strata historical}: a point-in-time join of entity rows with features. */
@Command(
    name = "historical",
    mixinStandardHelpOptions = true,
    description = {
      "Join features to entity rows as of each row's timestamp (point in time).",
      "One output row per entity row, entity columns unchanged. Exit code 3 for entity rows",
      "that lack a key or timestamp column, have a wrong type or null timestamps.",
      "Without entity rows (--start/--end, or --latest --end): every key's values at each",
      "cadence point, or its latest values; the views must share their join keys."
    })
final class HistoricalCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin RegistryOptions registry = new RegistryOptions();
  @Mixin SparkOptions sparkOptions = new SparkOptions();

  @Option(
      names = "--entities",
      paramLabel = "LOCATION",
      description =
          "The entity rows: a Parquet path, a Delta or Hudi path, or an Iceberg table. Without"
              + " them, give --start and --end (or --latest and --end).")
  String entities;

  @Option(
      names = "--start",
      paramLabel = "INSTANT",
      description =
          "Without entity rows: every key's values at each cadence point from this instant"
              + " (e.g. 2001-01-15T00:00:00Z) to --end.")
  Instant start;

  @Option(
      names = "--end",
      paramLabel = "INSTANT",
      description = "Without entity rows: the last instant (inclusive).")
  Instant end;

  @Option(
      names = "--latest",
      description = "Without entity rows: one row per key with its values as of --end.")
  boolean latest;

  @Option(
      names = "--entities-format",
      paramLabel = "FORMAT",
      description = "parquet (default), delta, iceberg or hudi.")
  String entitiesFormat = "parquet";

  @Option(
      names = "--timestamp-column",
      paramLabel = "COLUMN",
      description = "The entity rows' timestamp column (with --entities).")
  String timestampColumn;

  static final class What {
    @Option(names = "--service", paramLabel = "NAME", description = "A registered feature service.")
    String service;

    @Option(
        names = "--features",
        split = ",",
        paramLabel = "VIEW:FEATURE",
        description = "Features as view:feature (or a whole view), comma-separated.")
    List<String> features;
  }

  @ArgGroup(exclusive = true, multiplicity = "1")
  What what;

  @Option(names = "--full-names", description = "Name feature columns view__feature.")
  boolean fullNames;

  @Option(
      names = "--output",
      required = true,
      paramLabel = "LOCATION",
      description = "Where to write the rows.")
  String output;

  @Mixin Jobs.OutputOptions outputOptions = new Jobs.OutputOptions();

  /** The options of one of the two forms, with or without entity rows. */
  private void checkForm() {
    if (entities != null) {
      if (timestampColumn == null) {
        throw new StrataCli.UsageException("--entities needs --timestamp-column");
      }
      if (start != null || end != null || latest) {
        throw new StrataCli.UsageException(
            "--start, --end and --latest are for retrieval without --entities");
      }
    } else if (end == null || (start == null && !latest)) {
      throw new StrataCli.UsageException(
          "give --entities and --timestamp-column, or --start and --end, or --latest and --end");
    } else if (latest && start != null) {
      throw new StrataCli.UsageException("--latest takes --end only, not --start");
    }
  }

  @Override
  public Integer call() {
    checkForm();
    TableFormat in = Jobs.format(entitiesFormat);
    TableFormat outFormat = outputOptions.format();
    PrintWriter out = spec.commandLine().getOut();
    try (RegistryStore store = registry.open()) {
      SparkSession spark = sparkOptions.session("historical");
      OfflineStore offline = new OfflineStore(spark, store, sparkOptions.warehouse);
      TableLocation outputTable = outFormat.at(output);
      List<Projection> projections =
          what.service != null
              ? offline.serviceProjections(what.service)
              : offline.projections(what.features);
      OfflineStore.Historical h;
      List<LineageId> inputs;
      if (entities != null) {
        TableLocation entityTable = in.at(entities);
        Dataset<Row> rows = Tables.read(spark, entityTable, Optional.empty());
        h = offline.historical(rows, timestampColumn, projections, fullNames);
        inputs = new ArrayList<>(h.inputs());
        inputs.add(LineageId.table(entityTable, Optional.empty()));
      } else {
        h = offline.historicalWithoutEntities(projections, start, end, latest, fullNames);
        inputs = new ArrayList<>(h.inputs());
      }
      RunRecord started =
          RunRecord.started(
              JobKind.HISTORICAL,
              inputs,
              Map.of("output", output, "service", what.service == null ? "" : what.service));
      OutputTables.Written written =
          SparkOptions.reported(
              spark,
              "historical",
              () ->
                  OutputTables.write(
                      spark, store, started, h.rows(), outputTable, outputOptions.overwrite));
      long count = written.rows();
      out.println(
          "Wrote "
              + count
              + " rows to "
              + outFormat.label()
              + " "
              + output
              + "; sources read at snapshots "
              + h.sources().stream()
                  .map(r -> r.source() + r.snapshot().map(x -> "@" + x).orElse(""))
                  .toList());
      return StrataCli.OK;
    }
  }
}
