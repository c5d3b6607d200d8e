package dev.strata.offline;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import dev.strata.dsl.Expectation;
import dev.strata.dsl.ValueType;
import dev.strata.errors.InvalidDefinitionException;
import dev.strata.registry.ExpectationResult;
import dev.strata.registry.FeatureStatistics;
import dev.strata.registry.RegistryStore;
import dev.strata.registry.RunQuality;
import dev.strata.registry.RunRecord;
import dev.strata.registry.RunTracker;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Measures the rows a run writes: each feature's {@link FeatureStatistics} and each expectation's
 * {@link ExpectationResult}, in one aggregate. With expectations, the rows are measured and checked
 * before anything is written ({@link #gate}, which throws on a STRICT failure); with statistics
 * only, as they are written ({@link Observed}); {@link Measurement} picks.
 *
 * <pre>{@code
 * Quality.Measured m = Quality.measure(rows, Quality.features(view),
 *     List.of(new Quality.Checks("origin_delays", view.expectations(),
 *         Optional.of("feature_timestamp"), Optional.of(end))));
 * Quality.enforce(m.expectations(), "backfill of 'origin_delays'");   // throws on STRICT failures
 * }</pre>
 */
public final class Quality {
  private Quality() {}

  /** A column to describe: its name in the rows and its type. */
  public record Measure(String column, ValueType type) {}

  /**
   * The expectations of one view over the rows, with the time column and range end that freshness
   * is judged against (none for rows without one, such as training sets: freshness is skipped).
   */
  public record Checks(
      String view,
      List<Expectation> expectations,
      Optional<String> timeColumn,
      Optional<Instant> end) {}

  /** What the rows showed. */
  public record Measured(
      long rows, List<FeatureStatistics> statistics, List<ExpectationResult> expectations) {
    public List<ExpectationResult> blocking() {
      return expectations.stream().filter(ExpectationResult::blocks).toList();
    }
  }

  /** A STRICT expectation failed: the job stopped before it wrote anything. */
  public static final class ExpectationFailedException extends InvalidDefinitionException {
    private final transient List<ExpectationResult> failed;

    ExpectationFailedException(String message, List<ExpectationResult> failed) {
      super(message);
      this.failed = List.copyOf(failed);
    }

    public List<ExpectationResult> failed() {
      return failed;
    }
  }

  /** Throws when a STRICT expectation failed, naming the job, each view, expectation and value. */
  public static void enforce(List<ExpectationResult> results, String job) {
    List<ExpectationResult> failed = results.stream().filter(ExpectationResult::blocks).toList();
    if (failed.isEmpty()) {
      return;
    }
    StringBuilder m = new StringBuilder(job).append(" stopped before writing anything: ");
    for (int i = 0; i < failed.size(); i++) {
      ExpectationResult r = failed.get(i);
      m.append(i == 0 ? "" : "; ")
          .append("feature view '")
          .append(r.view())
          .append("' expects ")
          .append(r.expectation())
          .append(", observed ")
          .append(r.observed());
    }
    throw new ExpectationFailedException(m.toString(), failed);
  }

  /**
   * How a run measures the rows it writes, chosen by what it must measure: nothing (the rows are
   * written as they are computed); statistics only (taken as the rows are written, {@link
   * Observed}: one pass); expectations (the rows are computed once, measured and checked by {@link
   * #gate} before anything is written, then written from there).
   *
   * <pre>{@code
   * Quality.Measurement m = Quality.Measurement.start(registry, run, subject, rows, measures,
   *     checks, "backfill of 'origin_delays'");                  // may throw: nothing written
   * Tables.Commit c = Tables.replaceRange(spark, m.rows(), ...);
   * Optional<RunQuality> q = m.finish(rowsWritten, () -> committedRows);
   * }</pre>
   */
  public static final class Measurement {
    private final Dataset<Row> rows;
    private final Optional<RunQuality> checked;
    private final Optional<Observed> observed;
    private final RunTracker run;
    private final RunQuality.Subject subject;

    private Measurement(
        Dataset<Row> rows,
        Optional<RunQuality> checked,
        Optional<Observed> observed,
        RunTracker run,
        RunQuality.Subject subject) {
      this.rows = rows;
      this.checked = checked;
      this.observed = observed;
      this.run = run;
      this.subject = subject;
    }

    /**
     * Starts measuring {@code rows}; with expectations, measures and checks them at once.
     *
     * @throws ExpectationFailedException when a STRICT expectation fails (recorded in the run)
     */
    public static Measurement start(
        RegistryStore registry,
        RunTracker run,
        RunQuality.Subject subject,
        Dataset<Row> rows,
        List<Measure> measures,
        List<Checks> checks,
        String job) {
      boolean expectations = checks.stream().anyMatch(c -> !c.expectations().isEmpty());
      if (expectations) {
        Progress.phase(rows.sparkSession(), "compute the rows of " + job);
        Dataset<Row> computed = computeOnce(rows);
        RunQuality q = gate(registry, run, subject, computed, measures, checks, job);
        return new Measurement(computed, Optional.of(q), Optional.empty(), run, subject);
      }
      if (measures.isEmpty()) {
        return new Measurement(rows, Optional.empty(), Optional.empty(), run, subject);
      }
      Observed o = observe(rows, measures);
      return new Measurement(o.rows(), Optional.empty(), Optional.of(o), run, subject);
    }

    /** The rows to write. */
    public Dataset<Row> rows() {
      return rows;
    }

    /**
     * The findings to record with the commit: {@code written} rows were committed, which {@code
     * committed} reads back should the rows have to be measured again ({@link Observed#await}).
     */
    public Optional<RunQuality> finish(
        long written, java.util.function.Supplier<Dataset<Row>> committed) {
      if (observed.isPresent()) {
        return Optional.of(finding(run, subject, observed.get().await(written, committed)));
      }
      return checked;
    }
  }

  /**
   * Computes {@code rows} once, now, and keeps them (Spark's local checkpoint: in memory, spilling
   * to local disk) so that a run can measure them and then write them without computing them again.
   * Unlike {@code persist()}, the computation runs as any query does, with adaptive execution
   * coalescing its shuffle partitions (Spark plans cached queries without it: a backfill of the
   * sample took 70 s instead of 16 s, in 200 tiny tasks and files).
   */
  public static Dataset<Row> computeOnce(Dataset<Row> rows) {
    return rows.localCheckpoint(true);
  }

  /**
   * Measures the rows a run is about to write and checks them before its commit: when a STRICT
   * expectation fails it records the findings against the run and throws {@link
   * ExpectationFailedException}; otherwise it returns them for the run's completion to record with
   * the snapshot it commits ({@link RunQuality#committedAs}).
   *
   * @param job how messages name the job, e.g. {@code backfill of 'origin_delays'}
   */
  public static RunQuality gate(
      RegistryStore registry,
      RunTracker run,
      RunQuality.Subject subject,
      Dataset<Row> rows,
      List<Measure> measures,
      List<Checks> checks,
      String job) {
    Progress.phase(rows.sparkSession(), "statistics and expectations of " + job);
    RunQuality q = finding(run, subject, measure(rows, measures, checks));
    if (!q.blocking().isEmpty()) {
      registry.recordQuality(q);
      enforce(q.expectations(), job);
    }
    return q;
  }

  /** What a run measured, as the registry keeps it (without a snapshot until the commit). */
  public static RunQuality finding(RunTracker run, RunQuality.Subject subject, Measured m) {
    RunRecord r = run.record();
    return new RunQuality(
        r.id(),
        r.job(),
        subject,
        Optional.empty(),
        Instant.now(),
        m.statistics(),
        m.expectations());
  }

  /**
   * Statistics of {@code measures} and the results of {@code checks} over {@code rows}, in one
   * aggregation. Expectations naming a column the rows lack fail with that observation.
   */
  public static Measured measure(Dataset<Row> rows, List<Measure> measures, List<Checks> checks) {
    List<Column> aggs = aggregates(rows, measures, checks);
    Row r = rows.agg(aggs.get(0), aggs.subList(1, aggs.size()).toArray(Column[]::new)).first();
    return read(r, rows, measures, checks);
  }

  /** The aggregates of {@link #measure}, in the order {@link #read} reads them. */
  private static List<Column> aggregates(
      Dataset<Row> rows, List<Measure> measures, List<Checks> checks) {
    List<Column> aggs = new ArrayList<>();
    aggs.add(count(lit(1)));
    List<String> have = List.of(rows.columns());
    if (!measures.isEmpty()) {
      aggs.add(statistics(measures));
    }
    for (Checks ch : checks) {
      for (Expectation e : ch.expectations()) {
        aggs.addAll(checkColumns(e, ch, have));
      }
    }
    return aggs;
  }

  private static Measured read(
      Row r, Dataset<Row> rows, List<Measure> measures, List<Checks> checks) {
    List<String> have = List.of(rows.columns());
    int i = 0;
    long total = r.getLong(i++);
    List<FeatureStatistics> stats = new ArrayList<>();
    if (!measures.isEmpty()) {
      StatisticsAggregator.Buffer b = StatisticsAggregator.read((byte[]) r.get(i++));
      for (int f = 0; f < measures.size(); f++) {
        stats.add(b.statistics(f, measures.get(f).column(), measures.get(f).type()));
      }
    }
    List<ExpectationResult> results = new ArrayList<>();
    for (Checks ch : checks) {
      for (Expectation e : ch.expectations()) {
        Optional<ExpectationResult> res = result(e, ch, have, total, r, i);
        i += checkColumns(e, ch, have).size();
        res.ifPresent(results::add);
      }
    }
    return new Measured(total, stats, results);
  }

  /**
   * Rows whose statistics are taken as they are written, for runs without expectations: each row
   * passes a filter that adds its features to a {@link StatisticsAccumulator} and keeps it, so the
   * rows are computed and read once. (Spark's own {@code Dataset.observe} cannot carry the
   * statistics aggregate: its accumulator fails to serialize a typed aggregate's projection.) When
   * the accumulated row count is not the count the write committed (a stage that ran twice counts
   * twice), {@link #await} measures the committed rows instead.
   */
  public static final class Observed {
    private final Dataset<Row> rows;
    private final List<Measure> measures;
    private final StatisticsAccumulator accumulator;

    private Observed(Dataset<Row> source, List<Measure> measures) {
      this.measures = measures;
      boolean[] numeric = numericMask(measures);
      this.accumulator = new StatisticsAccumulator(numeric);
      source.sparkSession().sparkContext().register(accumulator, "strata statistics");
      StatisticsAccumulator acc = accumulator;
      UserDefinedFunction count =
          functions
              .udf(
                  (UDF1<Row, Boolean>)
                      r -> {
                        acc.add(r);
                        return true;
                      },
                  DataTypes.BooleanType)
              .asNondeterministic();
      this.rows = source.filter(count.apply(functions.struct(inputColumns(measures))));
    }

    /** The rows to write. */
    public Dataset<Row> rows() {
      return rows;
    }

    /**
     * The statistics of the rows written, {@code written} of them; measured over {@code committed}
     * (the rows as the write stored them) when the accumulator saw another number.
     */
    public Measured await(long written, java.util.function.Supplier<Dataset<Row>> committed) {
      StatisticsAggregator.Buffer b = accumulator.value();
      if (b.rows != written) {
        FALLBACKS.incrementAndGet();
        return measure(committed.get(), measures, List.of());
      }
      List<FeatureStatistics> stats = new ArrayList<>();
      for (int f = 0; f < measures.size(); f++) {
        stats.add(b.statistics(f, measures.get(f).column(), measures.get(f).type()));
      }
      return new Measured(written, stats, List.of());
    }
  }

  /** How many writes were measured again after the write (tests check that none were). */
  static final java.util.concurrent.atomic.AtomicLong FALLBACKS =
      new java.util.concurrent.atomic.AtomicLong();

  /** Rows whose statistics are taken as they are written ({@link Observed}). */
  public static Observed observe(Dataset<Row> rows, List<Measure> measures) {
    return new Observed(rows, measures);
  }

  /** The measures of a view's features. */
  public static List<Measure> features(dev.strata.dsl.FeatureView view) {
    return view.features().stream().map(f -> new Measure(f.name(), f.type())).toList();
  }

  private static boolean numeric(ValueType t) {
    return t.isNumeric() || t == ValueType.BOOL;
  }

  /** The aggregates an expectation needs, in the order {@link #result} reads them. */
  private static List<Column> checkColumns(Expectation e, Checks ch, List<String> have) {
    if (e instanceof Expectation.NotNull n) {
      return have.contains(n.column())
          ? List.of(sum(when(col(quoted(n.column())).isNull(), 1).otherwise(0)))
          : List.of();
    }
    if (e instanceof Expectation.Between b) {
      if (!have.containsAll(b.columns())) {
        return List.of();
      }
      Column v = ExprColumns.of(b.expr()).cast("double");
      return List.of(
          sum(when(v.lt(b.min()).or(v.gt(b.max())), 1).otherwise(0)), count(v), min(v), max(v));
    }
    if (e instanceof Expectation.Freshness) {
      return ch.timeColumn().isPresent() && ch.end().isPresent()
          ? List.of(max(col(quoted(ch.timeColumn().get()))))
          : List.of();
    }
    return List.of(); // row count: the total
  }

  private static Optional<ExpectationResult> result(
      Expectation e, Checks ch, List<String> have, long total, Row r, int i) {
    String view = ch.view();
    if (e instanceof Expectation.NotNull n) {
      if (!have.contains(n.column())) {
        return Optional.of(missing(view, e, n.column()));
      }
      long nulls = r.getLong(i);
      return Optional.of(
          outcome(view, e, nulls == 0, nulls + " of " + total + " rows null in " + n.column()));
    }
    if (e instanceof Expectation.Between b) {
      if (!have.containsAll(b.columns())) {
        return Optional.of(missing(view, e, String.join(", ", b.columns())));
      }
      long outside = r.getLong(i);
      long values = r.getLong(i + 1);
      String range =
          r.isNullAt(i + 2)
              ? "no values"
              : "min " + num(r.getDouble(i + 2)) + ", max " + num(r.getDouble(i + 3));
      return Optional.of(
          outcome(
              view,
              e,
              outside == 0,
              outside + " of " + values + " values outside (" + range + ")"));
    }
    if (e instanceof Expectation.RowCount c) {
      return Optional.of(
          outcome(view, e, total >= c.atLeast() && total <= c.atMost(), total + " rows"));
    }
    if (e instanceof Expectation.Freshness f) {
      if (ch.timeColumn().isEmpty() || ch.end().isEmpty()) {
        return Optional.empty(); // rows without a range end (a training set): not judged
      }
      if (r.isNullAt(i)) {
        return Optional.of(outcome(view, e, false, "no rows"));
      }
      Instant newest = ((Timestamp) r.get(i)).toInstant();
      Duration age = Duration.between(newest, ch.end().get());
      return Optional.of(
          outcome(
              view,
              e,
              age.compareTo(f.maxAge()) <= 0,
              "newest row at " + newest + ", " + age + " before the end " + ch.end().get()));
    }
    throw new IllegalStateException("unknown expectation " + e);
  }

  private static ExpectationResult outcome(
      String view, Expectation e, boolean passed, String observed) {
    return new ExpectationResult(view, e.describe(), e.severity(), passed, observed);
  }

  private static ExpectationResult missing(String view, Expectation e, String column) {
    return outcome(view, e, false, "the rows have no column " + column);
  }

  private static String quoted(String column) {
    return "`" + column + "`";
  }

  private static String num(double d) {
    return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
  }

  /** One aggregate of every measure's statistics ({@link StatisticsAggregator}). */
  private static Column statistics(List<Measure> measures) {
    boolean[] numeric = numericMask(measures);
    StructType input = new StructType();
    for (int i = 0; i < measures.size(); i++) {
      input = input.add("c" + i, numeric[i] ? DataTypes.DoubleType : DataTypes.StringType);
    }
    return functions
        .udaf(new StatisticsAggregator(numeric), Encoders.row(input))
        .apply(inputColumns(measures));
  }

  /** Which measures are numeric (booleans as 0/1): those get moments, quantiles, a histogram. */
  private static boolean[] numericMask(List<Measure> measures) {
    boolean[] numeric = new boolean[measures.size()];
    for (int i = 0; i < numeric.length; i++) {
      numeric[i] = numeric(measures.get(i).type());
    }
    return numeric;
  }

  /** The measures as the statistics read them: doubles, or strings. */
  private static Column[] inputColumns(List<Measure> measures) {
    Column[] cols = new Column[measures.size()];
    for (int i = 0; i < cols.length; i++) {
      Measure m = measures.get(i);
      cols[i] = col(quoted(m.column())).cast(numeric(m.type()) ? "double" : "string").as("c" + i);
    }
    return cols;
  }
}
