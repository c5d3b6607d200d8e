package dev.strata.offline;

import static dev.strata.dsl.Features.between;
import static dev.strata.dsl.Features.col;
import static dev.strata.dsl.Features.freshness;
import static dev.strata.dsl.Features.lit;
import static dev.strata.dsl.Features.notNull;
import static dev.strata.dsl.Features.rowCount;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.strata.dsl.ValueType;
import dev.strata.registry.ExpectationResult;
import dev.strata.registry.FeatureStatistics;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Statistics against brute-force loops over seeded data, and expectations on a hand-checked table.
 */
@ExtendWith(SharedSparkSession.class)
class QualityTest {
  static final StructType SCHEMA =
      new StructType()
          .add("k", DataTypes.StringType)
          .add("ts", DataTypes.TimestampType)
          .add("delay", DataTypes.DoubleType)
          .add("n", DataTypes.LongType)
          .add("flag", DataTypes.BooleanType);

  @Test
  void statisticsEqualABruteForceOverSeededRows(SparkSession spark) {
    for (long seed : new long[] {1, 2}) {
      Random rnd = new Random(seed);
      List<Row> rows = new ArrayList<>();
      for (int i = 0; i < 20_000; i++) {
        Double delay =
            rnd.nextInt(10) == 0
                ? null
                : rnd.nextInt(50) == 0 ? rnd.nextGaussian() * 5000 : rnd.nextGaussian() * 30 + 5;
        Long n = rnd.nextInt(20) == 0 ? null : (long) rnd.nextInt(500);
        rows.add(
            RowFactory.create(
                "k" + rnd.nextInt(100), new Timestamp(i * 1000L), delay, n, rnd.nextBoolean()));
      }
      Dataset<Row> df = spark.createDataFrame(rows, SCHEMA).repartition(4);
      Quality.Measured m =
          Quality.measure(
              df,
              List.of(
                  new Quality.Measure("delay", ValueType.FLOAT64),
                  new Quality.Measure("n", ValueType.INT64),
                  new Quality.Measure("flag", ValueType.BOOL),
                  new Quality.Measure("k", ValueType.STRING)),
              List.of());
      assertThat(m.rows()).isEqualTo(rows.size());
      check(m.statistics().get(0), rows, 2);
      check(m.statistics().get(1), rows, 3);
      FeatureStatistics flag = m.statistics().get(2);
      long trues = rows.stream().filter(r -> r.getBoolean(4)).count();
      assertThat(flag.mean()).isCloseTo((double) trues / rows.size(), within(1e-12));
      FeatureStatistics k = m.statistics().get(3);
      assertThat(k.nulls()).isZero();
      assertThat(k.mean()).isNull();
      assertThat(k.quantiles()).isEmpty();
      assertThat(k.histogram().bins()).isEmpty();
      assertThat(k.approxDistinct()).isBetween(95L, 105L);
    }
  }

  /** The brute force: loops over the values of column {@code c}. */
  private static void check(FeatureStatistics s, List<Row> rows, int c) {
    List<Double> v = new ArrayList<>();
    long nulls = 0;
    for (Row r : rows) {
      if (r.isNullAt(c)) {
        nulls++;
      } else {
        v.add(((Number) r.get(c)).doubleValue());
      }
    }
    assertThat(s.count()).isEqualTo(rows.size());
    assertThat(s.nulls()).isEqualTo(nulls);
    double sum = 0;
    for (double x : v) {
      sum += x;
    }
    double mean = sum / v.size();
    double sq = 0;
    for (double x : v) {
      sq += (x - mean) * (x - mean);
    }
    double sd = Math.sqrt(sq / (v.size() - 1));
    assertThat(s.mean()).isCloseTo(mean, within(1e-9 * Math.max(1, Math.abs(mean))));
    assertThat(s.stddev()).isCloseTo(sd, within(1e-9 * sd));
    double[] sorted = v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    assertThat(s.min()).isEqualTo(sorted[0]);
    assertThat(s.max()).isEqualTo(sorted[sorted.length - 1]);
    // approximate quantiles: within twice the sketch's normalized rank error of the exact one
    double rankError = StatisticsAggregator.quantileRankError();
    assertThat(rankError).isLessThan(0.005);
    for (int i = 0; i < FeatureStatistics.QUANTILES.size(); i++) {
      double q = FeatureStatistics.QUANTILES.get(i);
      int slack = (int) Math.ceil(sorted.length * 2 * rankError) + 1;
      int rank = (int) Math.ceil(q * sorted.length) - 1;
      double lo = sorted[Math.max(0, rank - slack)];
      double hi = sorted[Math.min(sorted.length - 1, rank + slack)];
      assertThat(s.quantiles().get(i)).as("p%s", q * 100).isBetween(lo, hi);
    }
    Set<Double> distinct = new HashSet<>(v);
    assertThat((double) s.approxDistinct())
        .isCloseTo(distinct.size(), within(distinct.size() * 0.1));
    // the histogram: every value counted in the bin whose edges hold it, found by a linear scan
    double[] edges = FeatureStatistics.Histogram.EDGES;
    long[] expected = new long[edges.length];
    for (double x : v) {
      int b = 0;
      for (int e = 0; e < edges.length; e++) {
        if (edges[e] <= x) {
          b = e;
        }
      }
      expected[b]++;
    }
    assertThat(s.histogram().dense()).isEqualTo(expected);
    assertThat(s.histogram().total()).isEqualTo(v.size());
  }

  @Test
  void histogramEdgesAreFixedAscendingAndSymmetric() {
    double[] e = FeatureStatistics.Histogram.EDGES;
    double[] sorted = e.clone();
    Arrays.sort(sorted);
    assertThat(e).isEqualTo(sorted);
    assertThat(e[e.length / 2]).isZero();
    assertThat(e[e.length / 2 + 1]).isEqualTo(1e-4);
    assertThat(e[0]).isEqualTo(-e[e.length - 1]);
    assertThat(FeatureStatistics.Histogram.bin(1440)).isEqualTo(indexOf(e, 1000));
    assertThat(FeatureStatistics.Histogram.bin(1500)).isEqualTo(indexOf(e, 1500));
    assertThat(FeatureStatistics.Histogram.bin(-0.5)).isEqualTo(indexOf(e, -0.5));
    assertThat(FeatureStatistics.Histogram.bin(-1e30)).isZero();
  }

  private static int indexOf(double[] e, double v) {
    for (int i = 0; i < e.length; i++) {
      if (e[i] == v) {
        return i;
      }
    }
    throw new AssertionError(v + " is not an edge");
  }

  /** Four rows: a null delay, a delay in seconds (3600), keys a and b; the newest at 10:00. */
  static Dataset<Row> fourRows(SparkSession spark) {
    return spark.createDataFrame(
        List.of(
            RowFactory.create("a", ts("2001-01-01T08:00:00Z"), 10.0, 1L, true),
            RowFactory.create("a", ts("2001-01-01T09:00:00Z"), null, 2L, true),
            RowFactory.create("b", ts("2001-01-01T09:30:00Z"), 3600.0, 3L, false),
            RowFactory.create("b", ts("2001-01-01T10:00:00Z"), -5.0, 4L, false)),
        SCHEMA);
  }

  static Timestamp ts(String s) {
    return Timestamp.from(Instant.parse(s));
  }

  @Test
  void expectationsOnAHandCheckedTable(SparkSession spark) {
    Quality.Checks checks =
        new Quality.Checks(
            "v",
            List.of(
                notNull("delay"),
                notNull("n"),
                between(col("delay"), -60, 1440).warnOnly(),
                between(col("n").times(lit(10)), 0, 40),
                rowCount().atLeast(5),
                rowCount().atLeast(4).atMost(4),
                freshness(Duration.ofHours(2)),
                freshness(Duration.ofHours(1))),
            Optional.of("ts"),
            Optional.of(Instant.parse("2001-01-01T12:00:00Z")));
    Quality.Measured m = Quality.measure(fourRows(spark), List.of(), List.of(checks));
    List<String> shown = m.expectations().stream().map(ExpectationResult::toString).toList();
    assertThat(shown)
        .containsExactly(
            "FAILED v: notNull(delay) (1 of 4 rows null in delay)",
            "passed v: notNull(n) (0 of 4 rows null in n)",
            "warning v: between(delay, -60, 1440) (1 of 3 values outside (min -5, max 3600))",
            "passed v: between((n * 10), 0, 40) (0 of 4 values outside (min 10, max 40))",
            "FAILED v: rowCount().atLeast(5) (4 rows)",
            "passed v: rowCount().atLeast(4).atMost(4) (4 rows)",
            "passed v: freshness(PT2H) (newest row at 2001-01-01T10:00:00Z, PT2H before the end"
                + " 2001-01-01T12:00:00Z)",
            "FAILED v: freshness(PT1H) (newest row at 2001-01-01T10:00:00Z, PT2H before the end"
                + " 2001-01-01T12:00:00Z)");
    assertThatThrownBy(() -> Quality.enforce(m.expectations(), "backfill of 'v'"))
        .isInstanceOf(Quality.ExpectationFailedException.class)
        .hasMessage(
            "backfill of 'v' stopped before writing anything: feature view 'v' expects"
                + " notNull(delay), observed 1 of 4 rows null in delay; feature view 'v' expects"
                + " rowCount().atLeast(5), observed 4 rows; feature view 'v' expects"
                + " freshness(PT1H), observed newest row at 2001-01-01T10:00:00Z, PT2H before the"
                + " end 2001-01-01T12:00:00Z");
  }
}
