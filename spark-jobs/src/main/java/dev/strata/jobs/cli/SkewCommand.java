package dev.strata.jobs.cli;

import static org.apache.spark.sql.functions.array_sort;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.map_entries;

import dev.strata.dsl.TableLocation;
import dev.strata.errors.InvalidInputException;
import dev.strata.errors.NotFoundException;
import dev.strata.offline.OutputTables;
import dev.strata.offline.Skew;
import dev.strata.offline.TableFormat;
import dev.strata.offline.Tables;
import dev.strata.registry.JobKind;
import dev.strata.registry.LineageId;
import dev.strata.registry.RegistryStore;
import dev.strata.registry.RunRecord;
import java.io.PrintWriter;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code strata skew}: what the server served for a feature service (its loaded served-feature log)
 * against what the offline tables give for the same keys and instants; exit code {@value
 * StrataCli#SKEW} when a feature's match share is under {@code --min-match}.
 */
@Command(
    name = "skew",
    mixinStandardHelpOptions = true,
    description = {
      "Compare what the feature server served for a feature service (its served-feature log,"
          + " loaded by 'strata logs load') with the offline tables: per served value, the"
          + " table's latest row for the same keys at the request's as-of instant, within the"
          + " view's TTL.",
      "Per feature: the share that match, the shares missing online or offline, the share that"
          + " differ, and SMAPE for numeric features; then the first keys that did not match.",
      "Exit code 0, or " + StrataCli.SKEW + " when a feature matched less than --min-match."
    })
final class SkewCommand implements Callable<Integer> {
  static final JobKind JOB = new JobKind("strata.skew");

  @Spec CommandSpec spec;
  @Mixin RegistryOptions registry = new RegistryOptions();
  @Mixin SparkOptions sparkOptions = new SparkOptions();
  @Mixin LogsCommand.Table table = new LogsCommand.Table();

  @Parameters(index = "0", paramLabel = "SERVICE", description = "A feature service.")
  String service;

  @Option(
      names = "--start",
      required = true,
      paramLabel = "INSTANT",
      description = "Requests served from this instant on, e.g. 2026-11-26T00:00:00Z.")
  Instant start;

  @Option(
      names = "--end",
      required = true,
      paramLabel = "INSTANT",
      description = "Requests served before this instant.")
  Instant end;

  @Option(
      names = "--min-match",
      paramLabel = "SHARE",
      description = "The least share of matching values per feature (default 0.99).")
  double minMatch = 0.99;

  @Option(
      names = "--show",
      paramLabel = "N",
      description = "How many mismatched keys to list (default 20).")
  int show = 20;

  @Option(
      names = "--output",
      paramLabel = "LOCATION",
      description = "Write every value that did not match there (Parquet unless --output-format).")
  String output;

  @Mixin Jobs.OutputOptions outputOptions = new Jobs.OutputOptions();

  @Override
  public Integer call() {
    if (!end.isAfter(start)) {
      throw new InvalidInputException(
          "skew of '" + service + "': --end " + end + " is not after --start " + start);
    }
    if (!(minMatch >= 0 && minMatch <= 1)) {
      throw new InvalidInputException("--min-match must lie in [0, 1], got " + minMatch);
    }
    PrintWriter out = spec.commandLine().getOut();
    try (RegistryStore store = registry.open()) {
      store
          .featureService(service)
          .orElseThrow(
              () ->
                  new dev.strata.registry.NotRegisteredException(
                      "No feature service named '"
                          + service
                          + "' is registered: see what is registered with 'strata ls'"));
      SparkSession spark = sparkOptions.session("skew " + service);
      TableLocation logTable = table.resolve(sparkOptions);
      Dataset<Row> log =
          table
              .read(spark, sparkOptions)
              .filter(
                  col("feature_service")
                      .equalTo(service)
                      .and(col("request_time").geq(lit(Timestamp.from(start))))
                      .and(col("request_time").lt(lit(Timestamp.from(end)))));
      Skew.Result result =
          SparkOptions.reported(spark, "skew " + service, () -> Skew.compare(store, log));
      if (result.features().isEmpty()) {
        throw new NotFoundException(
            "the log holds no request of feature service '"
                + service
                + "' from "
                + start
                + " to "
                + end);
      }
      out.println(
          "skew of "
              + service
              + ": served values from "
              + start
              + " to "
              + end
              + " ("
              + logTable.location()
              + ") against the offline tables");
      List<String[]> cells = new ArrayList<>();
      cells.add(
          new String[] {
            "FEATURE", "VALUES", "MATCH", "MISSING ONLINE", "MISSING OFFLINE", "DIFFER", "SMAPE"
          });
      long under = 0;
      for (Skew.FeatureSkew f : result.features()) {
        boolean low = f.matchShare() < minMatch;
        under += low ? 1 : 0;
        cells.add(
            new String[] {
              f.view() + ":" + f.feature(),
              Long.toString(f.values()),
              share(f.matched(), f.values()) + (low ? "*" : ""),
              share(f.missingOnline(), f.values()),
              share(f.missingOffline(), f.values()),
              share(f.differ(), f.values()),
              Double.isNaN(f.smape()) ? "-" : String.format(Locale.ROOT, "%.6f", f.smape())
            });
      }
      out.print(Render.columns(cells));
      Dataset<Row> bad = result.mismatches();
      // a key as its sorted entries: maps cannot be compared, nor told apart by distinct
      Dataset<Row> badKeys =
          bad.select(col("view"), array_sort(map_entries(col("entity"))).as("key")).distinct();
      List<Row> keys =
          badKeys.orderBy(col("view"), col("key").cast("string")).limit(show).collectAsList();
      long badCount = badKeys.count();
      if (badCount > 0) {
        out.println(
            "keys with a value that did not match: "
                + badCount
                + (badCount > keys.size() ? " (first " + keys.size() + ")" : ""));
        for (Row k : keys) {
          List<String> entries = new ArrayList<>();
          for (Row e : k.<Row>getList(1)) {
            entries.add(e.getString(0) + "=" + e.getString(1));
          }
          out.println("  " + k.getString(0) + " {" + String.join(", ", entries) + "}");
        }
      }
      if (output != null) {
        TableFormat f = outputOptions.format();
        OutputTables.Written w =
            OutputTables.write(
                spark,
                store,
                RunRecord.started(
                    JOB,
                    List.of(LineageId.table(logTable, Tables.currentSnapshot(spark, logTable))),
                    Map.of("service", service, "start", start.toString(), "end", end.toString())),
                bad,
                f.at(output),
                outputOptions.overwrite);
        out.println("Wrote " + w.rows() + " values that did not match to " + output);
      }
      out.println(
          String.format(
              Locale.ROOT,
              "%d of %d features matched less than %s (* marks them)",
              under,
              result.features().size(),
              minMatch));
      return under > 0 ? StrataCli.SKEW : StrataCli.OK;
    }
  }

  private static String share(long part, long whole) {
    return String.format(Locale.ROOT, "%.2f%%", whole == 0 ? 0.0 : 100.0 * part / whole);
  }
}
