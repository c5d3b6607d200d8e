package dev.strata.dsl;

import java.time.Duration;

/**
 * An aggregation that still needs its window: {@code avg(col("delay")).over(Duration.ofDays(7))}.
 */
public final class Aggregation {
  private final AggregationFunction function;
  private final Expr input;

  Aggregation(AggregationFunction function, Expr input) {
    this.function = function;
    this.input = input;
  }

  /**
   * The sliding window: at time {@code t} the aggregation covers events with {@code t - window <=
   * event_ts < t}.
   */
  public Windowed over(Duration window) {
    return new Windowed(function, input, window);
  }

  /** An aggregation with its window, waiting for a name. */
  public static final class Windowed {
    private final AggregationFunction function;
    private final Expr input;
    private final Duration window;

    Windowed(AggregationFunction function, Expr input, Duration window) {
      this.function = function;
      this.input = input;
      this.window = window;
    }

    public FeatureSpec as(String name) {
      return FeatureSpec.aggregate(name, function, input, window);
    }
  }
}
