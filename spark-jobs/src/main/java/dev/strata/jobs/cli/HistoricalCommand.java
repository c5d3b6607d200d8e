package dev.strata.jobs.cli;

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
      "that lack a key or timestamp column, have a wrong type or null timestamps."
    })
final class HistoricalCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin RegistryOptions registry = new RegistryOptions();
  @Mixin SparkOptions sparkOptions = new SparkOptions();

  @Option(
      names = "--entities",
      required = true,
      paramLabel = "LOCATION",
      description = "The entity rows: a Parquet path, a Delta or Hudi path, or an Iceberg table.")
  String entities;

  @Option(
      names = "--entities-format",
      paramLabel = "FORMAT",
      description = "parquet (default), delta, iceberg or hudi.")
  String entitiesFormat = "parquet";

  @Option(
      names = "--timestamp-column",
      required = true,
      paramLabel = "COLUMN",
      description = "The entity rows' timestamp column.")
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

  @Option(
      names = "--output-format",
      paramLabel = "FORMAT",
      description = "parquet (default), delta, iceberg or hudi.")
  String outputFormat = "parquet";

  @Option(names = "--overwrite", description = "Replace the output if it exists.")
  boolean overwrite;

  @Override
  public Integer call() {
    TableFormat in = Jobs.format(entitiesFormat);
    TableFormat outFormat = Jobs.format(outputFormat);
    PrintWriter out = spec.commandLine().getOut();
    try (RegistryStore store = registry.open()) {
      SparkSession spark = sparkOptions.session("historical");
      OfflineStore offline = new OfflineStore(spark, store, sparkOptions.warehouse);
      TableLocation entityTable = in.at(entities);
      TableLocation outputTable = outFormat.at(output);
      Dataset<Row> rows = Tables.read(spark, entityTable, Optional.empty());
      OfflineStore.Historical h =
          what.service != null
              ? offline.historical(rows, timestampColumn, what.service, fullNames)
              : offline.historical(
                  rows, timestampColumn, offline.projections(what.features), fullNames);
      List<LineageId> inputs = new ArrayList<>(h.inputs());
      inputs.add(LineageId.table(entityTable, Optional.empty()));
      RunRecord started =
          RunRecord.started(
              JobKind.HISTORICAL,
              inputs,
              Map.of("output", output, "service", what.service == null ? "" : what.service));
      OutputTables.Written written =
          SparkOptions.reported(
              spark,
              "historical",
              () -> OutputTables.write(spark, store, started, h.rows(), outputTable, overwrite));
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
