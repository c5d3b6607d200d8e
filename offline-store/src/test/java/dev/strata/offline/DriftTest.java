package dev.strata.offline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.strata.registry.DriftReport;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * PSI, KS and JS against brute-force loops over the raw values of seeded data (sorting them,
 * cutting deciles by index, counting bins and CDFs with plain loops), and a hand-worked case.
 */
@ExtendWith(SharedSparkSession.class)
class DriftTest {
  static final StructType SCHEMA = new StructType().add("x", DataTypes.DoubleType);

  static Dataset<Row> frame(SparkSession spark, List<Double> values) {
    List<Row> rows = new ArrayList<>();
    values.forEach(v -> rows.add(RowFactory.create(v)));
    return spark.createDataFrame(rows, SCHEMA).repartition(3);
  }

  /** The reference definitions, written as plainly as possible over raw value lists. */
  static double[] bruteForce(List<Double> refRaw, List<Double> curRaw) {
    double[] ref = refRaw.stream().filter(v -> v != null).mapToDouble(v -> v).sorted().toArray();
    double[] cur = curRaw.stream().filter(v -> v != null).mapToDouble(v -> v).sorted().toArray();
    // KS: at every value of either side, the share of each side at or below it
    double ks = 0;
    for (double[] side : new double[][] {ref, cur}) {
      for (double v : side) {
        double fr = Arrays.stream(ref).filter(x -> x <= v).count() / (double) ref.length;
        double fc = Arrays.stream(cur).filter(x -> x <= v).count() / (double) cur.length;
        ks = Math.max(ks, Math.abs(fr - fc));
      }
    }
    // edges: the k-th decile is the smallest reference value with at least k/10 of them at or
    // below it, i.e. sorted[ceil(k * n / 10) - 1]; repeated edges cut once
    List<Double> edges = new ArrayList<>();
    for (int k = 1; k < 10; k++) {
      double e = ref[(int) Math.ceil(k * ref.length / 10.0) - 1];
      if (!edges.contains(e)) {
        edges.add(e);
      }
    }
    double psi = 0;
    double js = 0;
    for (int b = 0; b <= edges.size(); b++) {
      double lo = b == 0 ? Double.NEGATIVE_INFINITY : edges.get(b - 1);
      double hi = b == edges.size() ? Double.POSITIVE_INFINITY : edges.get(b);
      double p = Arrays.stream(ref).filter(x -> x > lo && x <= hi).count() / (double) ref.length;
      double q = Arrays.stream(cur).filter(x -> x > lo && x <= hi).count() / (double) cur.length;
      double r = Math.max(p, 1e-4);
      double c = Math.max(q, 1e-4);
      psi += (c - r) * Math.log(c / r);
      double m = (p + q) / 2;
      if (p > 0) {
        js += 0.5 * p * Math.log(p / m) / Math.log(2);
      }
      if (q > 0) {
        js += 0.5 * q * Math.log(q / m) / Math.log(2);
      }
    }
    return new double[] {psi, ks, js};
  }

  @Test
  void psiKsAndJsEqualABruteForceOnSeededData(SparkSession spark) {
    for (long seed : new long[] {1, 2, 3}) {
      Random rnd = new Random(seed);
      List<Double> ref = new ArrayList<>();
      List<Double> cur = new ArrayList<>();
      double shift = seed == 1 ? 0 : seed == 2 ? 0.05 : 3;
      for (int i = 0; i < 2000; i++) {
        // rounded, so that there are ties; some nulls
        ref.add(rnd.nextInt(15) == 0 ? null : Math.rint(rnd.nextGaussian() * 10) / 2);
        cur.add(rnd.nextInt(15) == 0 ? null : Math.rint((rnd.nextGaussian() + shift) * 10) / 2);
      }
      DriftReport.FeatureDrift d =
          Drift.compare(
                  frame(spark, ref),
                  frame(spark, cur),
                  List.of("x"),
                  DriftReport.Thresholds.DEFAULTS)
              .get(0);
      double[] expected = bruteForce(ref, cur);
      assertThat(d.psi()).as("psi, seed %s", seed).isCloseTo(expected[0], within(1e-12));
      assertThat(d.ks()).as("ks, seed %s", seed).isCloseTo(expected[1], within(1e-12));
      assertThat(d.js()).as("js, seed %s", seed).isCloseTo(expected[2], within(1e-12));
      assertThat(d.referenceValues()).isEqualTo(ref.stream().filter(v -> v != null).count());
      assertThat(d.drifted()).as("seed %s", seed).isEqualTo(seed == 3);
    }
  }

  @Test
  void aHandWorkedCase() {
    // reference 1..10 once each; current: 9 and 10 five times each
    double[] values = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    long[] ref = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
    long[] cur = {0, 0, 0, 0, 0, 0, 0, 0, 5, 5};
    DriftReport.FeatureDrift d = Drift.of("x", values, ref, cur, DriftReport.Thresholds.DEFAULTS);
    // KS: at 8 the reference has 0.8 below, the current 0
    assertThat(d.ks()).isEqualTo(0.8);
    // deciles 1..9 are the bin edges: ten bins of one reference value; the current fills two
    double psi = 8 * (1e-4 - 0.1) * Math.log(1e-4 / 0.1) + 2 * (0.5 - 0.1) * Math.log(0.5 / 0.1);
    assertThat(d.psi()).isCloseTo(psi, within(1e-12));
    // JS: eight bins only in the reference, two shared with M = 0.3
    double js =
        8 * 0.5 * 0.1 * 1.0 // log2(0.1 / 0.05) = 1
            + 2 * (0.5 * 0.1 * Math.log(0.1 / 0.3) + 0.5 * 0.5 * Math.log(0.5 / 0.3)) / Math.log(2);
    assertThat(d.js()).isCloseTo(js, within(1e-12));
    assertThat(d.drifted()).isTrue();
    // the histogram the figures came from: edges at the deciles, counts per bin
    assertThat(d.edges()).containsExactly(1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0);
    assertThat(d.referenceBins()).containsExactly(1L, 1L, 1L, 1L, 1L, 1L, 1L, 1L, 1L, 1L);
    assertThat(d.currentBins()).containsExactly(0L, 0L, 0L, 0L, 0L, 0L, 0L, 0L, 5L, 5L);
    assertThat(Drift.of("x", values, ref, ref, DriftReport.Thresholds.DEFAULTS))
        .satisfies(
            same -> {
              assertThat(same.psi()).isZero();
              assertThat(same.ks()).isZero();
              assertThat(same.js()).isZero();
              assertThat(same.drifted()).isFalse();
            });
    assertThat(Drift.of("x", values, ref, new long[10], DriftReport.Thresholds.DEFAULTS).drifted())
        .isTrue();
  }
}
