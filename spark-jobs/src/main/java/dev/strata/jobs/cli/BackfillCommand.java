package dev.strata.jobs.cli;

import dev.strata.dsl.Snapshot;
import dev.strata.offline.OfflineStore;
import dev.strata.offline.TableFormat;
import dev.strata.registry.RegistryStore;
import java.io.PrintWriter;
import java.time.LocalDate;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code strata backfill}: computes a feature view over whole UTC days into its offline table. */
@Command(
    name = "backfill",
    mixinStandardHelpOptions = true,
    description = {
      "Compute a registered feature view over UTC days into its offline table.",
      "Replaces what the table held for those days in one commit; reruns are idempotent.",
      "Records each feature's statistics and checks the view's expectations before the commit.",
      "Exit code 3 when the source does not match its definition or a STRICT expectation fails"
          + " (nothing is written)."
    })
final class BackfillCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin RegistryOptions registry = new RegistryOptions();
  @Mixin SparkOptions sparkOptions = new SparkOptions();

  @Parameters(index = "0", paramLabel = "VIEW", description = "A registered feature view.")
  String view;

  @Option(
      names = "--start",
      required = true,
      paramLabel = "DATE",
      description = "First day, e.g. 2001-01-01.")
  LocalDate start;

  @Option(
      names = "--end",
      required = true,
      paramLabel = "DATE",
      description = "Last day (inclusive).")
  LocalDate end;

  @Option(
      names = "--format",
      paramLabel = "FORMAT",
      description = "delta (default), iceberg or hudi.")
  String format = "delta";

  @Option(
      names = "--no-statistics",
      description =
          "Record no statistics (a view without expectations is then computed as it is written).")
  boolean noStatistics;

  @Override
  public Integer call() {
    TableFormat f = Jobs.offlineFormat(format);
    PrintWriter out = spec.commandLine().getOut();
    try (RegistryStore store = registry.open()) {
      SparkSession spark = sparkOptions.session("backfill " + view);
      OfflineStore.BackfillResult r =
          SparkOptions.reported(
              spark,
              "backfill " + view,
              () ->
                  statistics(new OfflineStore(spark, store, sparkOptions.warehouse))
                      .backfill(view, start, end, f));
      out.println(
          "Backfilled "
              + r.view()
              + " v"
              + r.viewVersion()
              + " for "
              + start
              + ".."
              + end
              + ": "
              + r.rows()
              + " rows into "
              + f.label()
              + " "
              + r.table().location()
              + " at snapshot "
              + r.snapshot()
              + " (source snapshot "
              + r.sourceSnapshot().map(Snapshot::id).orElse("-")
              + ")");
      return StrataCli.OK;
    }
  }

  private OfflineStore statistics(OfflineStore store) {
    return noStatistics ? store.withoutStatistics() : store;
  }
}
