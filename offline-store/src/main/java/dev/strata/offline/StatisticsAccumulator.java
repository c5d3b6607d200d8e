package dev.strata.offline;

import org.apache.spark.sql.Row;
import org.apache.spark.util.AccumulatorV2;

/**
 * The statistics of the rows a task passes on, merged on the driver as Spark merges any
 * accumulator: {@link StatisticsAggregator}'s buffer, filled row by row where the rows are written
 * ({@link Quality.Observed}).
 */
final class StatisticsAccumulator extends AccumulatorV2<Row, StatisticsAggregator.Buffer> {
  private static final long serialVersionUID = 1L;
  private final boolean[] numeric;
  private final StatisticsAggregator aggregator;
  private StatisticsAggregator.Buffer buffer;

  StatisticsAccumulator(boolean[] numeric) {
    this.numeric = numeric.clone();
    this.aggregator = new StatisticsAggregator(numeric);
    this.buffer = aggregator.zero();
  }

  @Override
  public boolean isZero() {
    return buffer.rows == 0;
  }

  @Override
  public StatisticsAccumulator copy() {
    StatisticsAccumulator c = new StatisticsAccumulator(numeric);
    c.buffer = aggregator.merge(c.buffer, buffer);
    return c;
  }

  @Override
  public void reset() {
    buffer = aggregator.zero();
  }

  @Override
  public void add(Row r) {
    aggregator.reduce(buffer, r);
  }

  @Override
  public void merge(AccumulatorV2<Row, StatisticsAggregator.Buffer> other) {
    buffer = aggregator.merge(buffer, other.value());
  }

  @Override
  public StatisticsAggregator.Buffer value() {
    return buffer;
  }
}
