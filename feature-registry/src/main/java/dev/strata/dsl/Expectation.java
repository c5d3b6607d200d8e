package dev.strata.dsl;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A rule that the rows a job writes for a feature view must keep: checked on every backfill,
 * training-set build and materialization, over the rows that run writes (the view's keys, its time
 * column and its features). A {@link Severity#STRICT} expectation that fails stops the job before
 * it commits anything; a {@link Severity#WARN} one is recorded and the job goes on.
 *
 * <pre>{@code
 * FeatureView.builder("origin_delays")
 *     ...
 *     .expect(notNull("avg_delay_1d"))
 *     .expect(between(col("avg_delay_1d"), -60, 1440))
 *     .expect(rowCount().atLeast(1000).warnOnly())
 *     .expect(freshness(Duration.ofHours(2)))
 * }</pre>
 */
public sealed interface Expectation
    permits Expectation.NotNull, Expectation.Between, Expectation.RowCount, Expectation.Freshness {

  /** What a failure does: stop the job before its commit, or be recorded while the job goes on. */
  enum Severity {
    STRICT,
    WARN
  }

  Severity severity();

  /** The same expectation, recorded but not enforced. */
  Expectation warnOnly();

  /** How the expectation reads in messages and listings, e.g. {@code between(delay, -60, 1440)}. */
  String describe();

  /**
   * Checks the expectation against the columns of the view's rows.
   *
   * @throws IllegalArgumentException naming the problem, for the caller to put in context
   */
  void check(Map<String, ValueType> columns);

  /** The columns of the view's rows the expectation reads (none for row counts and freshness). */
  default List<String> columns() {
    return List.of();
  }

  /** Every row has a value in {@code column}. */
  record NotNull(String column, Severity severity) implements Expectation {
    public NotNull {
      Objects.requireNonNull(severity, "severity");
      if (column == null || column.isBlank()) {
        throw new DefinitionException("Cannot build expectation notNull: column must not be empty");
      }
    }

    @Override
    public List<String> columns() {
      return List.of(column);
    }

    @Override
    public NotNull warnOnly() {
      return new NotNull(column, Severity.WARN);
    }

    @Override
    public String describe() {
      return "notNull(" + column + ")";
    }

    @Override
    public void check(Map<String, ValueType> columns) {
      if (!columns.containsKey(column)) {
        throw new IllegalArgumentException(
            describe() + ": '" + column + "' is not a column of the view " + columns.keySet());
      }
    }
  }

  /** Every non-null value of the numeric expression lies in {@code [min, max]}. */
  record Between(Expr expr, double min, double max, Severity severity) implements Expectation {
    public Between {
      Objects.requireNonNull(expr, "expr");
      Objects.requireNonNull(severity, "severity");
      if (!(min <= max)) {
        throw new DefinitionException(
            "Cannot build expectation between(" + expr + "): min " + min + " exceeds max " + max);
      }
    }

    @Override
    public List<String> columns() {
      return columnsOf(expr).stream().distinct().toList();
    }

    private static List<String> columnsOf(Expr e) {
      List<String> out = new ArrayList<>();
      if (e instanceof Expr.Column c) {
        out.add(c.name());
      }
      e.args().forEach(a -> out.addAll(columnsOf(a)));
      return out;
    }

    @Override
    public Between warnOnly() {
      return new Between(expr, min, max, Severity.WARN);
    }

    @Override
    public String describe() {
      return "between(" + expr + ", " + number(min) + ", " + number(max) + ")";
    }

    @Override
    public void check(Map<String, ValueType> columns) {
      ValueType t = expr.typeIn(columns);
      if (!t.isNumeric()) {
        throw new IllegalArgumentException(describe() + ": " + expr + " is " + t + ", not numeric");
      }
    }
  }

  /** The run writes at least {@code atLeast} and at most {@code atMost} rows. */
  record RowCount(long atLeast, long atMost, Severity severity) implements Expectation {
    public RowCount {
      Objects.requireNonNull(severity, "severity");
      if (atLeast < 0 || atMost < atLeast) {
        throw new DefinitionException(
            "Cannot build expectation rowCount: bounds " + atLeast + ".." + atMost + " are empty");
      }
    }

    /** At least {@code n} rows. */
    public RowCount atLeast(long n) {
      return new RowCount(n, atMost, severity);
    }

    /** At most {@code n} rows. */
    public RowCount atMost(long n) {
      return new RowCount(atLeast, n, severity);
    }

    @Override
    public RowCount warnOnly() {
      return new RowCount(atLeast, atMost, Severity.WARN);
    }

    @Override
    public String describe() {
      return atMost == Long.MAX_VALUE
          ? "rowCount().atLeast(" + atLeast + ")"
          : "rowCount().atLeast(" + atLeast + ").atMost(" + atMost + ")";
    }

    @Override
    public void check(Map<String, ValueType> columns) {}
  }

  /**
   * The newest row is at most {@code maxAge} older than the end of the range the run writes (a
   * backfill's last day, a materialization's end).
   */
  record Freshness(Duration maxAge, Severity severity) implements Expectation {
    public Freshness {
      Objects.requireNonNull(severity, "severity");
      if (maxAge == null || maxAge.isNegative()) {
        throw new DefinitionException(
            "Cannot build expectation freshness: max age " + maxAge + " must not be negative");
      }
    }

    @Override
    public Freshness warnOnly() {
      return new Freshness(maxAge, Severity.WARN);
    }

    @Override
    public String describe() {
      return "freshness(" + maxAge + ")";
    }

    @Override
    public void check(Map<String, ValueType> columns) {}
  }

  /** {@code column} is never null. */
  static NotNull notNull(String column) {
    return new NotNull(column, Severity.STRICT);
  }

  /** Every non-null value of {@code expr} lies in {@code [min, max]}. */
  static Between between(Expr expr, double min, double max) {
    return new Between(expr, min, max, Severity.STRICT);
  }

  /** Bounds on the number of rows a run writes; unbounded until {@code atLeast}/{@code atMost}. */
  static RowCount rowCount() {
    return new RowCount(0, Long.MAX_VALUE, Severity.STRICT);
  }

  /** The newest row is at most {@code maxAge} older than the end of the run's range. */
  static Freshness freshness(Duration maxAge) {
    return new Freshness(maxAge, Severity.STRICT);
  }

  private static String number(double d) {
    return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
  }
}
