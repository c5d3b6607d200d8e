package dev.strata.dsl;

/**
 * The DSL's entry point, meant for {@code import static dev.strata.dsl.Features.*}:
 *
 * <pre>{@code
 * FeatureView v = FeatureView.builder("origin_delays")
 *     .entity(airport).source(flights).ttl(Duration.ofDays(7)).every(Duration.ofHours(1))
 *     .feature(col("distance").cast(FLOAT64).as("distance_f"))
 *     .aggregate(avg(col("delay")).over(Duration.ofHours(24)).as("avg_delay_24h"))
 *     .aggregate(count().over(Duration.ofDays(7)).as("flights_7d"))
 *     .build();
 * }</pre>
 */
public final class Features {
  public static final ValueType BOOL = ValueType.BOOL;
  public static final ValueType INT32 = ValueType.INT32;
  public static final ValueType INT64 = ValueType.INT64;
  public static final ValueType FLOAT32 = ValueType.FLOAT32;
  public static final ValueType FLOAT64 = ValueType.FLOAT64;
  public static final ValueType STRING = ValueType.STRING;
  public static final ValueType TIMESTAMP = ValueType.TIMESTAMP;
  public static final ValueType DATE = ValueType.DATE;

  private Features() {}

  /** An expectation: {@code column} of a view's rows is never null. */
  public static Expectation.NotNull notNull(String column) {
    return Expectation.notNull(column);
  }

  /** An expectation: every non-null value of {@code expr} lies in {@code [min, max]}. */
  public static Expectation.Between between(Expr expr, double min, double max) {
    return Expectation.between(expr, min, max);
  }

  /** An expectation on the rows a run writes: {@code rowCount().atLeast(1000)}. */
  public static Expectation.RowCount rowCount() {
    return Expectation.rowCount();
  }

  /** An expectation: the newest row is at most {@code maxAge} older than the run's end. */
  public static Expectation.Freshness freshness(java.time.Duration maxAge) {
    return Expectation.freshness(maxAge);
  }

  /** A reference to a source column, by its (mapped) name. */
  public static Expr col(String name) {
    return Expr.column(name);
  }

  public static Expr lit(long value) {
    return Expr.literal(value, ValueType.INT64);
  }

  public static Expr lit(int value) {
    return Expr.literal((long) value, ValueType.INT32);
  }

  public static Expr lit(double value) {
    return Expr.literal(value, ValueType.FLOAT64);
  }

  public static Expr lit(boolean value) {
    return Expr.literal(value, ValueType.BOOL);
  }

  public static Expr lit(String value) {
    return Expr.literal(value, ValueType.STRING);
  }

  /** {@code ifThen(cond, a, b)}: {@code a} where {@code cond} holds, else {@code b}. */
  public static Expr ifThen(Expr condition, Expr then, Expr otherwise) {
    return Expr.call(Expr.Op.IF, condition, then, otherwise);
  }

  /** Number of events in the window. */
  public static Aggregation count() {
    return new Aggregation(AggregationFunction.COUNT, null);
  }

  /** Number of non-null values of {@code input} in the window. */
  public static Aggregation count(Expr input) {
    return new Aggregation(AggregationFunction.COUNT, input);
  }

  public static Aggregation sum(Expr input) {
    return new Aggregation(AggregationFunction.SUM, input);
  }

  public static Aggregation avg(Expr input) {
    return new Aggregation(AggregationFunction.AVG, input);
  }

  public static Aggregation min(Expr input) {
    return new Aggregation(AggregationFunction.MIN, input);
  }

  public static Aggregation max(Expr input) {
    return new Aggregation(AggregationFunction.MAX, input);
  }

  /** The value of the latest event in the window. */
  public static Aggregation last(Expr input) {
    return new Aggregation(AggregationFunction.LAST, input);
  }

  /** Sample standard deviation. */
  public static Aggregation stddev(Expr input) {
    return new Aggregation(AggregationFunction.STDDEV, input);
  }
}
