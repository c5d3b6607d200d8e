package dev.strata.jobs.cli;

import dev.strata.dsl.FeatureView;
import dev.strata.dsl.ObjectKind;
import dev.strata.dsl.VersionedName;
import dev.strata.errors.NotFoundException;
import dev.strata.registry.ExpectationResult;
import dev.strata.registry.FeatureStatistics;
import dev.strata.registry.JobKind;
import dev.strata.registry.RegistryStore;
import dev.strata.registry.RunQuality;
import dev.strata.registry.RunRecord;
import dev.strata.registry.TrainingSet;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code strata stats}: the statistics and expectation results a run recorded for the rows it
 * wrote, by default the newest completed run of the view version.
 */
@Command(
    name = "stats",
    mixinStandardHelpOptions = true,
    description = {
      "Show the statistics of a feature view's (or training set's) features as a run wrote them:"
          + " count, nulls, mean, stddev, min, quantiles, max, approximate distinct count, and the"
          + " expectations' results.",
      "Default: the newest completed backfill of the current version (the offline table's rows);"
          + " --run shows another run, e.g. a materialization's (the newest value per key)."
    })
final class StatsCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin RegistryOptions registry = new RegistryOptions();

  @Parameters(
      index = "0",
      paramLabel = "NAME[@vN]",
      description = "A feature view (or, with --training-set, a training set) and its version.")
  String nameAndVersion;

  @Option(names = "--run", paramLabel = "ID", description = "The run whose statistics to show.")
  String runId;

  @Option(names = "--training-set", description = "NAME is a training set.")
  boolean trainingSet;

  @Option(
      names = "--histograms",
      description = "Also print each numeric feature's histogram on its fixed bins.")
  boolean histograms;

  @Override
  public Integer call() {
    VersionedName parsed = VersionedName.parse(nameAndVersion);
    PrintWriter out = spec.commandLine().getOut();
    try (RegistryStore store = registry.open()) {
      RunQuality.Subject subject = subject(store, parsed);
      RunQuality q = runId == null ? newest(store, subject) : byRun(store, subject, runId);
      RunRecord run = store.run(q.runId()).orElseThrow();
      out.println(
          subject
              + "  run "
              + q.runId()
              + " ("
              + run.job()
              + ", "
              + run.status()
              + ") at "
              + q.recordedAt()
              + q.snapshot().map(s -> ", snapshot " + s).orElse(", nothing committed"));
      out.print(render(q.statistics()));
      if (histograms) {
        for (FeatureStatistics s : q.statistics()) {
          if (!s.histogram().bins().isEmpty()) {
            out.print(histogram(s));
          }
        }
      }
      if (!q.expectations().isEmpty()) {
        out.println("expectations:");
        for (ExpectationResult r : q.expectations()) {
          out.println("  " + r);
        }
      }
      return StrataCli.OK;
    }
  }

  private RunQuality.Subject subject(RegistryStore store, VersionedName parsed) {
    String name = parsed.name();
    if (trainingSet) {
      List<TrainingSet> versions = store.trainingSets(name);
      if (versions.isEmpty()) {
        throw new NotFoundException(
            "No training set named '"
                + name
                + "' is registered: build one with 'strata training-set "
                + name
                + " ...'");
      }
      int v =
          parsed.versionOrNull() == null
              ? versions.get(versions.size() - 1).version()
              : parsed.versionOrNull();
      return RunQuality.Subject.trainingSet(name, v);
    }
    int current =
        store
            .registeredView(name)
            .map(r -> r.version())
            .orElseGet(
                () ->
                    store.history(ObjectKind.FEATURE_VIEW, name).stream()
                        .mapToInt(r -> r.version())
                        .max()
                        .orElseThrow(
                            () ->
                                new NotFoundException(
                                    "No feature view named '"
                                        + name
                                        + "' is registered: see what is registered with"
                                        + " 'strata ls'")));
    return RunQuality.Subject.view(
        name, parsed.versionOrNull() == null ? current : parsed.versionOrNull());
  }

  /**
   * The newest completed backfill's (the offline table's rows); else the newest completed run's (a
   * materialization's: the newest value per key; a training set's); else the newest run's.
   */
  private static RunQuality newest(RegistryStore store, RunQuality.Subject subject) {
    List<RunQuality> all = store.quality(subject);
    return all.stream()
        .filter(q -> q.snapshot().isPresent() && q.job().equals(JobKind.BACKFILL))
        .findFirst()
        .or(() -> all.stream().filter(q -> q.snapshot().isPresent()).findFirst())
        .orElseGet(
            () ->
                all.stream()
                    .findFirst()
                    .orElseThrow(
                        () ->
                            new NotFoundException(
                                subject
                                    + " has no statistics yet: "
                                    + (subject.kind().equals(RunQuality.Subject.FEATURE_VIEW)
                                        ? "run 'strata backfill " + subject.name() + " ...'"
                                        : "build it with 'strata training-set'"))));
  }

  private static RunQuality byRun(RegistryStore store, RunQuality.Subject subject, String id) {
    RunQuality q =
        store
            .quality(id)
            .orElseThrow(
                () ->
                    new NotFoundException(
                        "run '"
                            + id
                            + "' recorded no statistics: see the runs with 'strata ls runs'"));
    if (!q.subject().equals(subject)) {
      throw new NotFoundException("run '" + id + "' measured " + q.subject() + ", not " + subject);
    }
    return q;
  }

  static String render(List<FeatureStatistics> stats) {
    List<String[]> cells = new ArrayList<>();
    cells.add(
        new String[] {
          "FEATURE",
          "TYPE",
          "COUNT",
          "NULLS",
          "MEAN",
          "STDDEV",
          "MIN",
          "P1",
          "P5",
          "P25",
          "P50",
          "P75",
          "P95",
          "P99",
          "MAX",
          "DISTINCT"
        });
    for (FeatureStatistics s : stats) {
      List<String> row = new ArrayList<>();
      row.add(s.feature());
      row.add(s.type().name());
      row.add(Long.toString(s.count()));
      row.add(Long.toString(s.nulls()));
      row.add(num(s.mean()));
      row.add(num(s.stddev()));
      row.add(num(s.min()));
      for (int i = 0; i < FeatureStatistics.QUANTILES.size(); i++) {
        row.add(s.quantiles().isEmpty() ? "-" : num(s.quantiles().get(i)));
      }
      row.add(num(s.max()));
      row.add("~" + s.approxDistinct());
      cells.add(row.toArray(String[]::new));
    }
    return Render.columns(cells);
  }

  static String histogram(FeatureStatistics s) {
    StringBuilder sb = new StringBuilder(s.feature()).append(":\n");
    long top = s.histogram().bins().stream().mapToLong(b -> b.count()).max().orElse(1);
    List<String> labels = new ArrayList<>();
    for (FeatureStatistics.Histogram.Bin b : s.histogram().bins()) {
      labels.add("[" + num(b.lower()) + ", " + num(b.upper()) + ")");
    }
    int width = labels.stream().mapToInt(String::length).max().orElse(0);
    for (int i = 0; i < labels.size(); i++) {
      FeatureStatistics.Histogram.Bin b = s.histogram().bins().get(i);
      sb.append(
          String.format(
              Locale.ROOT,
              "  %-" + width + "s  %-40s %d%n",
              labels.get(i),
              "#".repeat((int) Math.max(1, Math.round(40.0 * b.count() / top))),
              b.count()));
    }
    return sb.toString();
  }

  static String num(Double d) {
    if (d == null) {
      return "-";
    }
    if (d.isInfinite()) {
      return d > 0 ? "inf" : "-inf";
    }
    if (d == Math.rint(d) && Math.abs(d) < 1e15) {
      return Long.toString(d.longValue());
    }
    return new java.math.BigDecimal(String.format(Locale.ROOT, "%.4g", d))
        .stripTrailingZeros()
        .toPlainString();
  }

  /** The expectation results of a view version's newest run, for {@code describe}. */
  static List<String> newestExpectations(RegistryStore store, FeatureView view, int version) {
    List<RunQuality> all = store.quality(RunQuality.Subject.view(view.name(), version));
    List<String> lines = new ArrayList<>();
    if (all.isEmpty()) {
      view.expectations()
          .forEach(e -> lines.add("  " + e.describe() + " " + e.severity() + ": not checked yet"));
      return lines;
    }
    RunQuality q = all.get(0);
    lines.add("  (run " + q.runId() + " of " + q.job() + " at " + q.recordedAt() + ")");
    q.expectations().forEach(r -> lines.add("  " + r));
    return lines;
  }
}
