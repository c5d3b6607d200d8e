package dev.strata.jobs.cli;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import dev.strata.dsl.Feature;
import dev.strata.dsl.FeatureView;
import dev.strata.dsl.VersionedName;
import dev.strata.errors.InvalidInputException;
import dev.strata.errors.NotFoundException;
import dev.strata.offline.Drift;
import dev.strata.offline.HadoopFs;
import dev.strata.offline.OfflineStore;
import dev.strata.offline.ServedLog;
import dev.strata.offline.Skew;
import dev.strata.offline.Tables;
import dev.strata.registry.DriftReport;
import dev.strata.registry.NotRegisteredException;
import dev.strata.registry.OfflineTable;
import dev.strata.registry.Registered;
import dev.strata.registry.RegistryStore;
import dev.strata.registry.TrainingSet;
import dev.strata.training.TrainingSets;
import java.io.PrintWriter;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
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
 * {@code strata drift}: per feature of a view, PSI, KS and JS between a reference (a date range of
 * its offline table, or a training set) and a current date range of its offline table; exit code
 * {@value StrataCli#DRIFT} when any crosses its threshold.
 */
@Command(
    name = "drift",
    mixinStandardHelpOptions = true,
    description = {
      "Compare the distribution of a feature view's features in a current date range of its"
          + " offline table with a reference: an earlier date range, or a training set.",
      "Per feature: PSI (on the reference's deciles), the Kolmogorov-Smirnov statistic and the"
          + " Jensen-Shannon divergence (bits); a feature drifts when any exceeds its threshold.",
      "The current window is a date range of the offline table, or with --served what the"
          + " feature server served on those days. Each check is recorded in the registry; the"
          + " feature server exposes the newest per view as Prometheus gauges.",
      "Exit code 0 when no feature drifted, " + StrataCli.DRIFT + " when one did (for cron or CI)."
    })
final class DriftCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin RegistryOptions registry = new RegistryOptions();
  @Mixin SparkOptions sparkOptions = new SparkOptions();

  @Parameters(index = "0", paramLabel = "VIEW", description = "A registered feature view.")
  String view;

  @Option(
      names = "--start",
      required = true,
      paramLabel = "DATE",
      description = "First day of the current window.")
  LocalDate start;

  @Option(
      names = "--end",
      required = true,
      paramLabel = "DATE",
      description = "Last day of the current window (inclusive).")
  LocalDate end;

  @Option(
      names = "--reference-start",
      paramLabel = "DATE",
      description = "First day of the reference window.")
  LocalDate referenceStart;

  @Option(
      names = "--reference-end",
      paramLabel = "DATE",
      description = "Last day of the reference window (inclusive).")
  LocalDate referenceEnd;

  @Option(
      names = "--reference-training-set",
      paramLabel = "NAME[@vN]",
      description = "A training set as the reference, instead of a date range.")
  String trainingSet;

  @Option(
      names = "--features",
      split = ",",
      paramLabel = "FEATURE",
      description = "The features to compare (default: every numeric feature).")
  List<String> features;

  @Option(
      names = "--served",
      description =
          "The current window is what the feature server served on --start..--end (its"
              + " served-feature log, loaded by 'strata logs load'), not the offline table.")
  boolean served;

  @Mixin LogsCommand.Table logTable = new LogsCommand.Table();

  @Option(
      names = "--html",
      paramLabel = "FILE",
      description =
          "Also write a self-contained HTML report: per feature, the reference and current"
              + " histograms, the figures against their thresholds and, with --served, skew rates.")
  String html;

  @Option(names = "--psi", paramLabel = "X", description = "PSI threshold (default 0.2).")
  double psi = DriftReport.Thresholds.DEFAULTS.psi();

  @Option(names = "--ks", paramLabel = "X", description = "KS threshold (default 0.1).")
  double ks = DriftReport.Thresholds.DEFAULTS.ks();

  @Option(names = "--js", paramLabel = "X", description = "JS threshold, bits (default 0.1).")
  double js = DriftReport.Thresholds.DEFAULTS.js();

  @Override
  public Integer call() {
    if ((trainingSet == null) == (referenceStart == null || referenceEnd == null)) {
      throw new InvalidInputException(
          "drift of '"
              + view
              + "': give the reference as --reference-start and --reference-end, or as"
              + " --reference-training-set, not both");
    }
    checkRange(start, end, "--start", "--end");
    if (trainingSet == null) {
      checkRange(referenceStart, referenceEnd, "--reference-start", "--reference-end");
    }
    for (double t : new double[] {psi, ks, js}) {
      if (!(t >= 0)) {
        throw new InvalidInputException("drift thresholds must not be negative: " + t);
      }
    }
    PrintWriter out = spec.commandLine().getOut();
    try (RegistryStore store = registry.open()) {
      Registered<FeatureView> reg =
          store
              .registeredView(view)
              .orElseThrow(
                  () ->
                      new NotRegisteredException(
                          "No feature view named '"
                              + view
                              + "' is registered: see what is registered with 'strata ls'"));
      FeatureView v = reg.definition();
      OfflineTable table =
          store
              .offlineTable(view, reg.version())
              .orElseThrow(
                  () ->
                      new NotFoundException(
                          "feature view '"
                              + view
                              + "' v"
                              + reg.version()
                              + " has no offline table yet: run 'strata backfill "
                              + view
                              + "' first"));
      SparkSession spark = sparkOptions.session("drift " + view);
      Dataset<Row> offline = Tables.read(spark, table.table(), Optional.empty());
      Dataset<Row> servedLog = served ? servedLog(spark, reg.version()) : null;
      Dataset<Row> reference;
      String referenceName;
      if (trainingSet == null) {
        reference = days(offline, referenceStart, referenceEnd);
        referenceName = referenceStart + ".." + referenceEnd;
      } else {
        VersionedName ts = VersionedName.parse(trainingSet);
        TrainingSets sets = new TrainingSets(spark, store, sparkOptions.warehouse);
        TrainingSet set = sets.get(ts.name(), ts.versionOrNull());
        reference = sets.read(set);
        referenceName = "training set " + set.name() + "@v" + set.version();
      }
      List<String> columns = new ArrayList<>(Arrays.asList(reference.columns()));
      if (served) {
        // only what the server served: a service may serve some of a view's features
        List<String> logged =
            servedLog
                .select("feature")
                .distinct()
                .as(org.apache.spark.sql.Encoders.STRING())
                .collectAsList();
        columns.retainAll(logged);
      }
      List<String> compared = compared(v, columns);
      Dataset<Row> current =
          served ? ServedLog.servedValues(servedLog, v, compared) : days(offline, start, end);
      String currentName = (served ? "served " : "") + start + ".." + end;
      DriftReport.Thresholds thresholds = new DriftReport.Thresholds(psi, ks, js);
      List<DriftReport.FeatureDrift> result =
          SparkOptions.reported(
              spark,
              "drift " + view,
              () -> Drift.compare(reference, current, compared, thresholds));
      out.println(
          "drift of "
              + view
              + " v"
              + reg.version()
              + ": reference "
              + referenceName
              + ", current "
              + currentName
              + " ("
              + (served ? "served-feature log" : table.table().toString())
              + ")");
      List<String[]> cells = new ArrayList<>();
      cells.add(new String[] {"FEATURE", "REFERENCE", "CURRENT", "PSI", "KS", "JS", "DRIFT"});
      long drifted = 0;
      for (DriftReport.FeatureDrift d : result) {
        drifted += d.drifted() ? 1 : 0;
        cells.add(
            new String[] {
              d.feature(),
              Long.toString(d.referenceValues()),
              Long.toString(d.currentValues()),
              figure(d.psi(), psi),
              figure(d.ks(), ks),
              figure(d.js(), js),
              d.drifted() ? "DRIFT" : "ok"
            });
      }
      out.print(Render.columns(cells));
      out.println(
          String.format(
              Locale.ROOT,
              "thresholds: psi %s, ks %s, js %s (* marks a figure over its threshold); %d of %d"
                  + " features drifted",
              psi,
              ks,
              js,
              drifted,
              result.size()));
      DriftReport report =
          DriftReport.of(view, reg.version(), referenceName, currentName, thresholds, result);
      store.recordDrift(report);
      if (html != null) {
        List<Skew.FeatureSkew> skew =
            served ? Skew.compare(store, servedLog).features() : List.of();
        HadoopFs.write(
            spark,
            html,
            QualityReport.drift(report, skew).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        out.println("Wrote the report to " + html);
      }
      return drifted > 0 ? StrataCli.DRIFT : StrataCli.OK;
    }
  }

  private List<String> compared(FeatureView v, List<String> referenceColumns) {
    List<String> numeric = new ArrayList<>();
    for (Feature f : v.features()) {
      if ((f.type().isNumeric() || f.type() == dev.strata.dsl.ValueType.BOOL)
          && referenceColumns.contains(f.name())) {
        numeric.add(f.name());
      }
    }
    if (features == null || features.isEmpty()) {
      if (numeric.isEmpty()) {
        throw new InvalidInputException(
            "drift of '" + view + "': the reference has none of its numeric features");
      }
      return numeric;
    }
    for (String f : features) {
      if (!numeric.contains(f)) {
        throw new InvalidInputException(
            "drift of '"
                + view
                + "': '"
                + f
                + "' is not a numeric feature of the view that the reference holds "
                + numeric);
      }
    }
    return features;
  }

  /** The served-feature log of this view version on the current window's days. */
  private Dataset<Row> servedLog(SparkSession spark, int version) {
    return ServedLog.ofView(logTable.read(spark, sparkOptions), view, version, start, end);
  }

  private static Dataset<Row> days(Dataset<Row> offline, LocalDate from, LocalDate to) {
    return offline.filter(
        col(OfflineStore.DATE_COLUMN)
            .geq(lit(java.sql.Date.valueOf(from)))
            .and(col(OfflineStore.DATE_COLUMN).leq(lit(java.sql.Date.valueOf(to)))));
  }

  private void checkRange(LocalDate from, LocalDate to, String a, String b) {
    if (to.isBefore(from)) {
      throw new InvalidInputException(
          "drift of '" + view + "': " + b + " " + to + " is before " + a + " " + from);
    }
  }

  private static String figure(double x, double threshold) {
    if (Double.isNaN(x)) {
      return "no values";
    }
    return String.format(Locale.ROOT, "%.4f", x) + (x > threshold ? "*" : "");
  }
}
